"""Word lists that separate what a prompt is *about* from how it is *asked*.

Four lists, all general-purpose (none is tuned to a test set):

``STOP_WORDS``
    Function words of English plus the commonest ones of a few other Latin-script
    languages: grammar, never subject matter.
``GENERIC_WORDS``
    Words of asking and instructing ("explain", "step", "detail", "example", "overview",
    "reasoning", ...). A harvester's wrapper ("think step by step and explain in full
    detail") is made of these, so dropping them keeps the wrapper from deciding the cell.
``COMMON_WORDS``
    Everyday vocabulary that carries little topic ("people", "time", "new", "problem",
    "large", ...). Kept, but with a low weight so a rarer term wins the cell when there is one.
``FAMILIAR_WORDS``
    A wider band of familiar words (general adjectives, verbs and nouns: "perfect",
    "convert", "schedule", ...) that a rephrasing adds or drops freely; a middle weight.

Together they are a crude rarity scale standing in for corpus frequencies: the words that
name a subject ("photosynthesis", "ibuprofen", "kubernetes") are on none of the lists.

Lists hold base forms: generic words are matched with their regular inflections (one entry,
"explain", covers "explains", "explained", "explaining"), everyday words by their stem.
"""

from __future__ import annotations

__all__ = [
    "CJK_FUNCTION_CHARS",
    "COMMON_WORDS",
    "FAMILIAR_WORDS",
    "GENERIC_WORDS",
    "STOP_WORDS",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS: frozenset[str] = _words(
    """
    a about above across after afterwards again against ago ain all almost alone along
    already also although always am among amongst an and another any anybody anyhow anyone
    anything anyway anyways anywhere are aren around as aside at away be became because
    become becomes becoming been before beforehand behind being below beside besides
    between beyond both but by can cannot cant could couldn couldnt d did didn didnt do does
    doesn doesnt doing don done dont down during each either else elsewhere enough especially
    etc even ever every everybody everyone everything everywhere except few for former
    formerly forth from further furthermore had hadn has hasn hasnt have haven havent having
    he hed hence her here hereby herein hers herself hes him himself his how however i id ie
    if ill im in inside instead into is isn isnt it itd itll its itself ive just least less
    let lets ll m ma many may maybe me meanwhile might mightn mine more moreover most mostly
    much must mustn my myself namely neither never nevertheless next no nobody non none noone
    nor not nothing now nowhere o of off often oh ok okay on once one ones only onto or other
    others otherwise ought our ours ourselves out outside over own per perhaps plus quite
    rather re s same shall shan she shed shell shes should shouldn shouldnt since so some
    somebody somehow someone something sometime sometimes somewhat somewhere still such t
    than that thatll thats the their theirs them themselves then thence there thereafter
    thereby therefore therein theres thereupon these they theyd theyll theyre theyve this
    those though through throughout thru thus till to together too toward towards u under
    underneath unless unlike until unto up upon ur us ve very via vs versus was wasn wasnt
    we wed well were weren werent weve what whatever whats when whence whenever where
    whereas whereby wherein whereupon wherever whether which whichever while whilst whither
    who whod whoever whole whom whomever whose why will with within without won wont would
    wouldn wouldnt y ya yeah yep yes yet you youd youll your youre yours yourself yourselves
    youve
    hi hello hey dear thanks thank thx ty cheers sorry pls plz

    el la los las un una unos unas de del al y o u e en por para qué como cómo cual cuál
    cuales quien quién donde dónde cuando cuándo es fue estar está están esta este esto
    estos estas ese esa eso lo le les se su mis tu tus muy más pero porque también
    tambien me te yo ella ellos
    du et ou où à au aux dans pour avec sans qui quoi que quel quelle quels quelles est
    sont était c ce cet cette il elle ils elles nous vous je mon ta leur leurs ne plus
    mais donc comme l qu n j laquelle lequel lesquels
    der das dem ein eine einer eines einem einen und oder aber nicht ist sind waren wie
    wer wo wann warum von zu zum zur im am auf aus bei für über unter nach vor ich du er
    sie es wir ihr mir mich dir dich sich kann können kannst seine ihre auch noch nur so
    dass daß denn wenn ob
    il gli di della delle che perché perche non è
    o uma umas dos das no na nas com não nao é são sao
    """
)

GENERIC_WORDS: frozenset[str] = _words(
    """
    explain explanation explanations explanatory describe description descriptions detail
    details detailed elaborate elaboration clarify clarification illustrate illustration
    step steps stepwise please kindly write rewrite tell show give provide list enumerate
    summarize summarise summary summaries outline overview introduction intro introduce
    discuss discussion compare comparison contrast define definition definitions mean means
    meaning meant defined
    answer answers question questions ask asking asked query reply respond response
    responses output outputs format formatted markdown bullet bullets paragraph paragraphs
    essay sentence sentences word words line lines page pages section sections text
    know knowing known understand understanding understood help helping
    need needs want wants wish like likes would could should must might can
    tell teach teaching explainer guide guidance tutorial tutorials tip tips advice
    recommend recommendation recommendations suggest suggestion suggestions
    example examples instance instances sample illustrate case cases scenario scenarios
    thing things stuff something anything everything
    way ways approach approaches technique techniques procedure process
    mechanism mechanisms manner
    work works working worked use uses using used usage
    difference differences different differ differs differently similar similarity
    similarities versus vs
    type types kind kinds sort sorts category categories form forms variety
    main key basic basics fundamental fundamentals essential essentials core primary
    important importance significance significant relevant relevance
    concept concepts idea ideas notion
    reason reasons reasoning rationale cause causes caused causing why because
    purpose purposes role roles goal goals aim
    think thinking thought thoughts consider considering considered reflect
    full fully complete completely comprehensive comprehensively thorough thoroughly
    careful carefully rigorous rigorously exhaustive exhaustively extensive extensively
    depth deep deeply entire entirely
    brief briefly short shortly concise concisely simple simply simplified easy easily
    plain clear clearly exact exactly precise precisely accurate accurately
    actual actually basically literally really truly generally specifically particularly
    overall general specific particular certain various several
    expert experts professional assistant act acting pretend imagine suppose assume
    beginner beginners novice novices layman laymen layperson newbie newcomer newcomers
    dummies
    include includes including included involve involves involving involved contain
    contains containing
    happen happens happened happening occur occurs occurred occurring
    mean meaning
    get gets getting got gotten make makes making made do doing does done go goes going
    went gone come comes coming came take takes taking took taken see sees seeing saw seen
    look looks looking looked find finds finding found put puts say says saying said
    try tries trying tried keep keeps keeping kept
    possible possibly able unable
    answer respond
    topic topics subject subjects aspect aspects
    overview summary recap
    tldr eli5 faq
    translate translation classify classification categorize categorise extract
    extraction paraphrase proofread convert conversion generate analyze analyse analysis
    evaluate evaluation assess assessment review critique identify predict estimate draft
    compose edit rewrite implement implementation solve prove derive derivation justify
    demonstrate walk explain elaborate expand continue respond answer reply fill complete
    first firstly second secondly third thirdly finally lastly next then
    okay sure alright
    good better best bad worse worst great nice
    hmm um uh
    """
)

COMMON_WORDS: frozenset[str] = _words(
    """
    time times year years day days week weeks month months hour hours minute minutes
    second seconds moment moments today tomorrow yesterday now ago past present future
    early late earlier later soon recent recently modern ancient old new young age ages
    people person persons man men woman women child children kid kids baby adult adults
    family friend friends someone everyone anyone human humans individual individuals
    group groups member members team teams community society public population
    life lives world worlds place places home house room city country countries state
    states nation nations region regions part parts side sides end ends top bottom middle
    front back inside outside level levels point points number numbers amount amounts
    total percent percentage rate rates size sizes length width height weight
    lot lots bit bits piece pieces set sets kind series range order
    problem problems issue issues solution solutions fact facts result results effect
    effects impact impacts change changes changed changing factor factors feature
    features element elements aspect condition conditions situation situations
    state status value values quality quantity structure structures pattern patterns
    system systems model models thing object objects item items unit units
    information info data detail fact evidence source sources
    name names term terms title label
    action actions activity activities event events experience experiences practice
    practices behavior behaviour habit habits
    question matter matters issue reason
    power control force support service services product products
    money cost costs price prices pay paid buy sell sold free cheap expensive
    company companies business businesses market markets job jobs work worker workers
    school schools student students class classes course courses lesson lessons
    book books story stories history news report reports article articles paper papers
    game games play plays playing played sport
    health body mind hand hands head eye eyes face
    water food air light heat fire earth ground land sea
    car cars road roads street streets
    computer computers phone phones internet online website web app apps software tool
    tools device devices machine machines
    area areas field fields space spaces line lines learn learning method methods chain
    good bad high low big small large little long short great huge tiny major minor
    full empty hard soft easy difficult simple complex common rare normal usual typical
    real true false right wrong correct incorrect same different similar other another
    whole entire single double multiple many few more most less least much
    best better worse worst top main key
    fast slow quick quickly slowly fastest quickest faster quicker
    strong weak heavy light hot cold warm cool
    safe unsafe dangerous healthy ready available necessary
    able likely unlikely possible impossible
    important serious useful useless helpful effective efficient
    free open close closed public private local global national international
    natural social economic political personal human general
    start starts starting started begin begins beginning began end ends ending ended
    stop stops stopped stopping continue continues continued finish finished
    create creates creating created build builds building built develop develops
    developing developed produce produces producing produced grow grows growing grew
    grown increase increases increasing increased decrease decreases decreasing
    reduce reduces reducing reduced improve improves improving improved
    raise raises rise rises rising rose risen fall falls falling fell fallen
    move moves moving moved turn turns turning turned run runs running ran
    bring brings bringing brought send sends sending sent hold holds holding held
    set sets setting keep allow allows allowing allowed let lets
    add adds adding added remove removes removing removed
    change changes changing affect affects affecting affected
    lead leads leading led follow follows following followed
    become becomes became remain remains remained stay stays stayed
    seem seems seemed appear appears appeared
    happen happens
    feel feels feeling felt live lives living lived die dies dying died
    call calls calling called name named
    ask asks need needs require requires required requirement requirements
    provide provides offer offers offered
    want wants like likes love loves hate hates prefer prefers
    believe believes believed hope hopes expect expects
    help helps
    show shows showing showed shown
    mean means
    tell tells told speak speaks spoke talk talks talked
    read reads reading write writes writing written
    watch watches watching see
    pick picks choose chooses chose chosen decide decides decided
    avoid avoids avoided prevent prevents prevented
    fix fixes fixing fixed solve solves solving solved
    check checks checking checked test tests testing tested
    compute computes computing computed calculate calculates calculated calculation
    determine determines determined measure measures measured
    happen
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty
    fifty hundred hundreds thousand thousands million millions billion billions
    once twice half quarter dozen
    first second third fourth fifth last next previous final
    everyday daily weekly monthly yearly annual
    mr mrs ms dr
    """
)

FAMILIAR_WORDS: frozenset[str] = _words(
    """
    theorem rule rules law laws effect principle principles theory theories equation formula
    hypothesis paradox
    phenomenon recipe property structure reaction
    function algorithm program programming code script command expression variable
    parameter argument string array integer loop statement syntax snippet library package
    module framework version file error output input request

    absolute abstract academic acceptable active additional adequate advanced afraid
    aggressive alive alternative amazing angry annual anxious apparent appropriate
    automatic average aware awful beautiful beneficial bitter blank blind bold boring brave
    bright brilliant broad broken busy calm capable casual central chief classic clean
    clever comfortable commercial compatible competitive conscious consistent constant
    contemporary conventional critical crucial cultural curious current cute dark dead
    decent definite delicate dependent desperate digital direct dirty distinct distant
    diverse domestic dominant dramatic dry due dull eager educational elderly electric
    electronic elegant emotional endless enormous environmental equal eternal ethical
    evident evil excellent excessive exciting exclusive existing exotic experimental
    explicit extra extreme fair familiar famous fancy fantastic far fat favorite favourite
    federal fellow female final financial fine firm fit flat flexible fluent foreign formal
    former fortunate frank frequent fresh friendly funny generous gentle genuine giant
    golden grand grateful green gross guilty handsome happy harmful hidden historic holy
    honest horrible humble hungry ideal identical illegal immediate immense impressive
    independent indirect industrial inevitable informal initial inner innocent intelligent
    intense interesting internal intimate invisible jealous joint junior keen lazy legal
    legitimate liberal limited literary live lively logical lonely loose loud lovely loyal
    lucky mad magic male mass mature maximum medical medium mental mere mild military
    minimum mixed mobile moderate modest moral mutual narrow native near neat negative
    nervous net neutral noble notable novel obvious occasional odd official opposite
    optimal optional ordinary organic original outer painful pale parallel partial passive
    patient peaceful perfect permanent physical pleasant plenty polite poor popular
    positive potential powerful practical precious premium pretty primary prime principal
    prior probable profound prominent proper proud pure quiet radical random rapid raw
    realistic reasonable regular related relative reliable religious remarkable remote
    repeated responsible rich rigid rough round royal rural sacred sad scared secondary
    secret secure senior sensitive separate severe shallow sharp sheer shy sick silent
    silly sincere slight slim smart smooth solid sophisticated sound special spiritual
    stable standard steady steep sticky stiff straight strange strategic strict stupid
    subsequent substantial subtle successful sudden sufficient suitable super superb
    superior supreme surprising suspicious sweet swift symbolic tall technical temporary
    tender terrible thick thin tight total tough traditional tragic tremendous ugly
    ultimate uncertain unclear unique universal unknown unusual upper upset urban urgent
    vague valid valuable vast verbal vertical violent virtual visible visual vital vivid
    voluntary vulnerable wealthy weird welcome western wet wide wild willing wise wonderful
    wooden yellow black white red blue brown grey gray orange pink purple

    accept achieve acquire adapt adjust admit adopt advance advise afford agree apply
    appreciate approve argue arise arrange arrive assign assist assume attach attempt
    attend attract bear beat behave belong bend benefit bind blame block blow borrow bother
    break burn care carry catch celebrate challenge charge chase claim climb collect
    combine comment commit compete complain concentrate concern conclude conduct confirm
    connect consist construct consume contact contribute control convince cope copy count
    cover crash cross cry cut damage deal declare decline defend delay deliver demand deny
    depend deserve design desire destroy detect differ disappear discover display divide
    draw dream dress drink drive drop earn eat educate eliminate emerge emphasize employ
    enable encourage enjoy ensure enter escape establish examine exceed exchange exist
    expand explore express extend face fail feed fight fill fly focus fold forget forgive
    found gain gather grab grant guess handle hang head hear hide hire hit hurt ignore
    imagine imply indicate influence inform insist install intend invest invite issue join
    judge jump kick kill knock lack land last laugh launch lay lean leave lend lie lift limit
    link listen locate lose maintain manage mark marry match meet mention mind miss mix
    modify monitor note notice obtain occupy operate oppose organize organise own pass
    perform permit persuade place plan point possess post pour practise prefer prepare
    preserve press print proceed promise promote propose protect publish pull purchase
    push qualify reach react realize realise receive recognize recognise record recover
    refer refuse regard regret reject relate release rely remember remind repair repeat
    replace represent request rescue reserve resist resolve rest restore retain retire
    return reveal ride ring risk roll save search seek select serve settle shake shape
    share shift shoot shop shut sign sing sink sit sleep slide slip smell smile sound
    spend split spread stand stare steal stick store strike struggle study succeed suffer
    suit supply surprise survive suspect swim switch target taste tend thank throw touch
    track trade transfer transform travel treat trust undergo unite update upgrade urge
    value vary view visit vote wait wake walk warn wash waste wear win wonder worry wrap
    yield

    ability access account addition address advantage adventure affair agency agent
    agreement aid angle animal anxiety apartment appeal appearance application argument
    arm arrangement artist assignment assistance association assumption attempt attention
    attitude audience author authority award awareness background balance ball band bank
    base basis battle beach bed behalf belief bill birth board boat boss bottle box boy
    brain branch brand breakfast breath brother budget bunch button campaign candidate
    capacity card career center centre century chair champion chance channel chapter
    character choice circle citizen client club coach collection college color colour
    combination commission commitment committee communication competition conclusion
    conference confidence conflict connection consequence content context contribution
    conversation corner council couple courage crew crisis criteria crowd customer cycle
    danger date daughter debate decade decision degree department design desire
    difficulty dimension dinner direction director distance division document door doubt
    draft driver edge edition editor education effort election emergency emphasis
    employee enemy entry environment episode equipment error estate exam exercise
    expression extent failure faith fan fashion fault fear feedback feeling figure file
    floor folk foot frame freedom fun future gap gate gift girl god government grade grass
    growth guard guest guy hair hall hat heart hell hero highway hill hint hobby hole
    holiday honor honour horse host hotel household identity image improvement incident
    income independence index initiative injury input insight inspection instruction
    instructions intention interest interview investment invitation island journey
    judgment judgement kitchen knowledge lab lady leader leadership league letter library
    location loss luck lunch magazine majority manager map margin master material meal
    meeting message mission mistake mode mood morning mother motion mountain mouth
    movement movie mystery nature neck night noise novel objective occasion office officer
    operation opinion opportunity option organization organisation outcome owner pain pair
    panel parent park partner party passage path peace performance period permission
    phase phrase picture pilot plan platform player pleasure pocket position possibility
    preference preparation presence priority prize procedure profile profit progress
    project promise proportion proposal prospect purpose race radio rank ratio reaction
    reader reality reception reference relation relationship representative reputation
    research resource responsibility reward ride ring risk role root routine sale scale
    scene schedule scheme screen seat sector sense sequence session setting shock shop
    shot sight signal silence sister site skill sky slice speaker speech speed spirit spot
    square staff stage statement station step store strategy strength stretch studio
    style success suggestion suit surface surprise survey table tale talent task teacher
    theme threat ticket tone topic tour tradition trend trial trick trip trouble truth
    university user variety version video village vision voice volume wall warning
    weakness wealth website weekend wheel wife window winner wish wood writer youth
    """
)

CJK_FUNCTION_CHARS: frozenset[str] = frozenset(
    "的了吗呢吧啊嗎么麼什怎是在和与與及或请請这這那我你他她它们們"
)
"""Chinese particles and pronouns at which a run of ideographs is split before bigramming."""
