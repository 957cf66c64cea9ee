"""The subject space: domains, each a list of entities crossed with aspects.

A subject is an entity seen through an aspect ("the isotopes of" x "uranium"), so a few dozen
entities and a dozen aspects per domain compose into thousands of distinct subjects. Sweepers
enumerate this space; benign users touch a small, clustered corner of it. Entities are real
names so that prompts read like what people actually ask.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DOMAINS", "Domain", "domain_named"]


def _items(text: str) -> tuple[str, ...]:
    """Split a ``|``- or newline-separated list, dropping blanks."""
    return tuple(
        item.strip()
        for line in text.strip().splitlines()
        for item in line.split("|")
        if item.strip()
    )


@dataclass(frozen=True, slots=True)
class Domain:
    """One field of knowledge.

    ``aspects`` are noun phrases with an ``{e}`` slot ("the causes of {e}"); ``questions`` are
    direct questions with the same slot; ``tasks`` are how-to verb phrases ("make a roux");
    ``kind`` names what an entity is, with its article, for multiple-choice items.
    """

    name: str
    field: str
    kind: str
    entities: tuple[str, ...]
    aspects: tuple[str, ...]
    questions: tuple[str, ...]
    tasks: tuple[str, ...] = ()
    code: bool = False
    problems: tuple[str, ...] = ()  # names of numeric problem generators that fit the domain

    @property
    def size(self) -> int:
        return len(self.entities) * (len(self.aspects) + len(self.questions))


def _domain(
    name: str,
    field: str,
    kind: str,
    entities: str,
    aspects: str,
    questions: str,
    tasks: str = "",
    *,
    code: bool = False,
    problems: tuple[str, ...] = (),
) -> Domain:
    return Domain(
        name,
        field,
        kind,
        _items(entities),
        _items(aspects),
        _items(questions),
        _items(tasks),
        code,
        problems,
    )


DOMAINS: tuple[Domain, ...] = (
    _domain(
        "chemistry",
        "chemistry",
        "a chemical element",
        """hydrogen|helium|lithium|beryllium|boron|carbon|nitrogen|oxygen|fluorine|neon|sodium
        magnesium|aluminium|silicon|phosphorus|sulfur|chlorine|argon|potassium|calcium|scandium
        titanium|vanadium|chromium|manganese|iron|cobalt|nickel|copper|zinc|gallium|germanium
        arsenic|selenium|bromine|krypton|rubidium|strontium|zirconium|molybdenum|palladium|silver
        cadmium|tin|antimony|iodine|xenon|caesium|barium|lanthanum|cerium|neodymium|europium
        gadolinium|tungsten|platinum|gold|mercury|lead|bismuth|polonium|radon|radium|thorium
        uranium|plutonium|americium|lutetium|osmium|iridium|tellurium|indium|hafnium|tantalum""",
        """the electron configuration of {e}|the chemical properties of {e}
        the industrial uses of {e}
        how {e} was discovered|the isotopes of {e}|the toxicity of {e}|the biological role of {e}
        how {e} is extracted and refined|the place of {e} in the periodic table
        the most important compounds of {e}|the oxidation states of {e}
        the physical properties of {e}""",
        """What is the atomic number of {e}?|How does {e} react with water?
        Is {e} a metal, a nonmetal or a metalloid?|Where is {e} found in nature?
        Why is {e} so reactive (or unreactive)?|What are the common ions formed by {e}?
        How many valence electrons does {e} have and why does it matter?
        What happens when {e} is heated in air?|Who discovered {e} and how?""",
        problems=("stoichiometry", "gas_law", "ph"),
    ),
    _domain(
        "compounds",
        "chemistry",
        "a chemical compound",
        """benzene|ethanol|acetic acid|sodium chloride|sulfuric acid|ammonia|methane|glucose
        cellulose|polyethylene|aspirin|caffeine|ATP|chlorophyll|hydrogen peroxide|nitric acid
        calcium carbonate|sodium bicarbonate|acetone|formaldehyde|PVC|nylon-6,6|PTFE|ozone
        carbon monoxide|nitrous oxide|phenol|toluene|glycerol|urea|citric acid|lactic acid
        potassium permanganate|silver nitrate|copper sulfate|sodium hydroxide|hydrochloric acid
        ethylene glycol|methanol|propane|graphene|fullerene C60|silica|titanium dioxide
        lithium cobalt oxide|ammonium nitrate|sodium hypochlorite|dimethyl sulfoxide""",
        """the molecular structure of {e}|the industrial production of {e}|the uses of {e}
        the safety hazards of {e}|the physical properties of {e}|the reactivity of {e}
        the environmental impact of {e}|the history of {e}|how {e} behaves in solution""",
        """What is the chemical formula of {e}?|Is {e} polar or nonpolar?
        How is {e} made industrially?
        What are the health effects of exposure to {e}?|What is the boiling point of {e}?
        How should {e} be stored safely?|What type of bonding is present in {e}?""",
        problems=("stoichiometry", "ph"),
    ),
    _domain(
        "organic-chemistry",
        "organic chemistry",
        "a reaction in organic chemistry",
        """the Grignard reaction|the Diels-Alder reaction|SN1 substitution|SN2 substitution
        E1 elimination|E2 elimination|aldol condensation|Fischer esterification|the Wittig reaction
        Friedel-Crafts alkylation|Friedel-Crafts acylation|the Claisen condensation
        ozonolysis|hydroboration-oxidation|the Cannizzaro reaction|Suzuki coupling|Heck reaction
        the Michael addition|catalytic hydrogenation|the Mannich reaction|Baeyer-Villiger oxidation
        the Beckmann rearrangement|Clemmensen reduction|Wolff-Kishner reduction|Swern oxidation
        electrophilic aromatic substitution|nucleophilic acyl substitution|keto-enol tautomerism
        radical halogenation|the Robinson annulation|epoxide ring opening|Markovnikov addition
        the Hofmann elimination|the Curtius rearrangement|Birch reduction|the Stille coupling""",
        """the mechanism of {e}|the stereochemistry of {e}|the reagents and conditions for {e}
        common side reactions in {e}|the synthetic applications of {e}|the limitations of {e}
        the kinetics of {e}|how to recognise when to use {e}""",
        """How does {e} work, step by step?|What are the typical yields of {e}?
        What solvent is best for {e} and why?|Can you draw out the arrow-pushing mechanism for {e}?
        What products form in {e} with an unsymmetrical substrate?""",
    ),
    _domain(
        "physics",
        "physics",
        "a concept in physics",
        """quantum tunneling|the photoelectric effect|special relativity|general relativity
        time dilation|the Doppler effect|entropy|the second law of thermodynamics|superconductivity
        the Higgs mechanism|wave-particle duality|the uncertainty principle|quantum entanglement
        Bernoulli's principle|Newton's third law|angular momentum|electromagnetic induction
        Maxwell's equations|the Pauli exclusion principle|nuclear fission|nuclear fusion
        blackbody radiation|the Casimir effect|superfluidity|Bose-Einstein condensates
        the Hall effect|Rayleigh scattering|total internal reflection|diffraction|interference
        resonance|simple harmonic motion|terminal velocity|torque|buoyancy|surface tension
        the Coriolis effect|plasma|dark matter|the standard model|neutrino oscillation
        the Schrodinger equation|spin|quantum decoherence|the Zeeman effect|Cherenkov radiation
        the Meissner effect|laminar and turbulent flow|the Carnot cycle|Hooke's law""",
        """the mathematics behind {e}|real-world applications of {e}|common misconceptions about {e}
        the history of {e}|the experimental evidence for {e}|an intuitive explanation of {e}
        the limits of {e}|how {e} is taught to undergraduates|open research questions about {e}""",
        """What exactly is {e}?|Why does {e} happen?|How was {e} first observed?
        How would you explain {e} to a high school student?|What equation describes {e}?
        Is {e} relevant to everyday life?|How does {e} relate to energy conservation?""",
        problems=("kinematics", "projectile", "circuit", "energy", "optics"),
    ),
    _domain(
        "astronomy",
        "astronomy",
        "an astronomical object or phenomenon",
        """Mercury|Venus|Mars|Jupiter|Saturn|Uranus|Neptune|Pluto|Europa|Titan|Enceladus|Io
        Ganymede|the Moon|the Sun|Betelgeuse|Sirius|Proxima Centauri|Polaris|Vega|Alpha Centauri
        the Andromeda galaxy|the Milky Way|the Orion Nebula|the Crab Nebula|Sagittarius A*
        black holes|neutron stars|pulsars|quasars|white dwarfs|red giants|supernovae
        gamma-ray bursts|the cosmic microwave background|exoplanets|the Kuiper belt
        the Oort cloud|the asteroid belt|Halley's comet|solar flares|the Big Bang
        cosmic inflation|gravitational waves|dark energy|the Hubble constant|brown dwarfs
        magnetars|globular clusters|the Magellanic Clouds|TRAPPIST-1|Ceres|Vesta|Phobos""",
        """the composition of {e}|the formation of {e}|the observational history of {e}
        the future of {e}|what missions have studied {e}|the size and scale of {e}
        why {e} matters for astrophysics|the most surprising facts about {e}""",
        """How far away is {e}?|Could {e} support life?|How was {e} discovered?
        What would happen if we travelled to {e}?|How do astronomers study {e}?
        What is the temperature of {e}?|Can you see {e} with a backyard telescope?""",
    ),
    _domain(
        "biology",
        "biology",
        "a biological process or structure",
        """mitosis|meiosis|photosynthesis|cellular respiration|the Krebs cycle|glycolysis
        DNA replication|transcription|translation|CRISPR-Cas9|the cell membrane|mitochondria
        ribosomes|the endoplasmic reticulum|the Golgi apparatus|apoptosis|natural selection
        genetic drift|horizontal gene transfer|epigenetics|stem cells|the immune response
        antibodies|T cells|enzymes|protein folding|hormones|homeostasis|the nitrogen cycle
        symbiosis|speciation|Mendelian inheritance|gene expression|RNA interference|telomeres
        prions|viruses|bacterial conjugation|the microbiome|circadian rhythms|neurotransmission
        action potentials|osmosis|active transport|chloroplasts|plant hormones|embryonic development
        the cytoskeleton|signal transduction|the lac operon|PCR""",
        """the mechanism of {e}|the stages of {e}|the evolutionary origin of {e}
        the regulation of {e}|what goes wrong with {e} in disease|experiments that revealed {e}
        the molecules involved in {e}|the importance of {e} for life""",
        """How does {e} work?|What is the purpose of {e}?|Where in the cell does {e} take place?
        What happens if {e} fails?|How is {e} different in plants and animals?
        Who discovered {e}?|Why is {e} important in medicine?""",
    ),
    _domain(
        "zoology",
        "zoology",
        "an animal",
        """the octopus|the honeybee|the African elephant|the blue whale|the emperor penguin
        the axolotl|the tardigrade|the monarch butterfly|the great white shark
        the bottlenose dolphin
        the red fox|the gray wolf|the snow leopard|the platypus|the koala|the kangaroo
        the komodo dragon|the chameleon|the peregrine falcon|the barn owl|the hummingbird
        the salmon|the leafcutter ant|the naked mole-rat|the cuttlefish|the mantis shrimp
        the giant panda|the chimpanzee|the orangutan|the sloth|the armadillo|the hedgehog
        the bat|the crow|the parrot|the clownfish|the seahorse|the jellyfish|the coral polyp
        the earthworm|the dung beetle|the cheetah|the lion|the polar bear|the arctic tern
        the sea otter|the beaver|the pangolin|the okapi|the capybara""",
        """the diet of {e}|the habitat of {e}|the social behaviour of {e}|the reproduction of {e}
        the conservation status of {e}|the evolution of {e}|the intelligence of {e}
        the adaptations of {e}|the lifespan of {e}""",
        """How does {e} survive in the wild?|What eats {e}?|Is {e} endangered?
        How smart is {e} compared to other animals?|How does {e} communicate?
        Why does {e} behave the way it does?|Can {e} be kept as a pet?""",
    ),
    _domain(
        "botany",
        "botany and gardening",
        "a plant",
        """tomatoes|basil|roses|orchids|succulents|ferns|oak trees|bamboo|sunflowers|tulips
        lavender|rosemary|mint|blueberries|strawberries|apple trees|lemon trees|fig trees
        peppers|potatoes|garlic|onions|lettuce|kale|cucumbers|zucchini|pumpkins|grapevines
        monstera|pothos|snake plants|fiddle leaf figs|bonsai|cacti|hydrangeas|peonies|dahlias
        lilies|wisteria|Japanese maples|hostas|clematis|rhododendrons|moss|carnivorous plants
        olive trees|avocado trees|coffee plants""",
        """the care requirements of {e}|common pests and diseases of {e}|how to propagate {e}
        the ideal soil for {e}|the watering needs of {e}|pruning {e}|the history of cultivating {e}
        companion plants for {e}|growing {e} indoors""",
        """Why are the leaves on my {e} turning yellow?|When should I plant {e}?
        How much sun do {e} need?|How do I overwinter {e}?|Can I grow {e} in a pot?
        What fertilizer is best for {e}?|How long until {e} bear fruit or flower?""",
        """start a vegetable garden|build a raised bed|make compost at home|test my soil pH
        get rid of aphids naturally|set up drip irrigation|repot a root-bound plant
        grow herbs on a windowsill|attract pollinators to my garden|prune a fruit tree""",
    ),
    _domain(
        "earth-science",
        "earth science",
        "a geological or climatic phenomenon",
        """plate tectonics|earthquakes|volcanoes|tsunamis|the rock cycle|erosion|glaciers
        the water cycle|the carbon cycle|ocean currents|El Nino|La Nina|the jet stream
        hurricanes|tornadoes|monsoons|the greenhouse effect|ozone depletion|permafrost
        sea level rise|ocean acidification|desertification|karst landscapes|sedimentary rock
        igneous rock|metamorphic rock|the Earth's core|the magnetosphere|geomagnetic reversals
        the Cambrian explosion|mass extinctions|ice ages|continental drift|the Ring of Fire
        geysers|aquifers|soil formation|landslides|atmospheric rivers|thunderstorms|fog
        the polar vortex|the Gulf Stream|coral bleaching|wildfires|droughts|heat waves""",
        """the causes of {e}|the effects of {e}|how scientists measure {e}
        the history of research on {e}
        how {e} is changing with climate change|the dangers of {e}|models used to predict {e}
        regional examples of {e}""",
        """What causes {e}?|Can we predict {e}?|How does {e} affect people?
        Is {e} getting worse?|How does {e} form?|Where does {e} happen most often?""",
    ),
    _domain(
        "medicine",
        "medicine",
        "a disease or medical condition",
        """type 2 diabetes|type 1 diabetes|hypertension|asthma|COPD|migraine|epilepsy
        Parkinson's disease|Alzheimer's disease|multiple sclerosis|rheumatoid arthritis
        osteoarthritis|lupus|Crohn's disease|ulcerative colitis|celiac disease|IBS|GERD
        hypothyroidism|hyperthyroidism|anemia|sickle cell disease|hemophilia|leukemia|lymphoma
        breast cancer|prostate cancer|melanoma|lung cancer|colorectal cancer|pneumonia
        tuberculosis|malaria|HIV|hepatitis B|hepatitis C|influenza|COVID-19|Lyme disease
        shingles|psoriasis|eczema|acne|gout|kidney stones|chronic kidney disease|heart failure
        atrial fibrillation|stroke|deep vein thrombosis|sepsis|endometriosis|PCOS|glaucoma
        cataracts|tinnitus|sleep apnea|fibromyalgia|osteoporosis|appendicitis""",
        """the symptoms of {e}|the diagnosis of {e}|the treatment options for {e}
        the risk factors for {e}|the pathophysiology of {e}|the prognosis of {e}
        the prevention of {e}|the epidemiology of {e}|the complications of {e}
        recent research on {e}|living with {e}""",
        """What are the early warning signs of {e}?|How is {e} diagnosed?|Is {e} curable?
        What lifestyle changes help with {e}?|Is {e} hereditary?|What causes {e}?
        When should someone with {e} see a doctor urgently?|How common is {e}?""",
    ),
    _domain(
        "pharmacology",
        "pharmacology",
        "a medication",
        """metformin|insulin glargine|lisinopril|amlodipine|atorvastatin|warfarin|apixaban
        aspirin|ibuprofen|acetaminophen|naproxen|prednisone|amoxicillin|azithromycin
        ciprofloxacin|doxycycline|sertraline|fluoxetine|escitalopram|bupropion|venlafaxine
        lithium carbonate|quetiapine|aripiprazole|methylphenidate|gabapentin|pregabalin
        levothyroxine|omeprazole|pantoprazole|metoprolol|furosemide|hydrochlorothiazide
        semaglutide|empagliflozin|albuterol|montelukast|cetirizine|loratadine|diphenhydramine
        morphine|oxycodone|tramadol|naloxone|buprenorphine|methotrexate|adalimumab|tamoxifen
        sildenafil|finasteride|isotretinoin|hydroxychloroquine|ivermectin|oseltamivir""",
        """the mechanism of action of {e}|the side effects of {e}|the drug interactions of {e}
        the pharmacokinetics of {e}|the indications for {e}|the contraindications of {e}
        the history of {e}|dosing considerations for {e}|monitoring patients on {e}""",
        """How does {e} work in the body?|Can I drink alcohol while taking {e}?
        What happens if I miss a dose of {e}?|Is {e} safe during pregnancy?
        How long does {e} take to start working?|What should I avoid while taking {e}?
        What is the difference between {e} and its generic alternatives?""",
    ),
    _domain(
        "anatomy",
        "human anatomy and physiology",
        "an organ or body system",
        """the heart|the lungs|the liver|the kidneys|the pancreas|the spleen|the thyroid gland
        the adrenal glands|the pituitary gland|the hypothalamus|the cerebellum|the hippocampus
        the prefrontal cortex|the spinal cord|the vagus nerve|the retina|the inner ear
        the skin|the small intestine|the large intestine|the stomach|the gallbladder
        the lymphatic system|bone marrow|the knee joint|the shoulder joint|the rotator cuff
        the diaphragm|the blood-brain barrier|red blood cells|platelets|the placenta
        the immune system|the endocrine system|the skeletal system|skeletal muscle|the tongue
        the teeth|the appendix|the thymus""",
        """the structure of {e}|the function of {e}|common disorders of {e}|how {e} develops
        the blood supply of {e}|how {e} changes with age|how {e} is examined clinically""",
        """What does {e} do?|Can you live without {e}?|How does {e} heal after injury?
        How does exercise affect {e}?|What keeps {e} healthy?""",
    ),
    _domain(
        "nutrition",
        "nutrition",
        "a nutrient or diet",
        """protein|dietary fiber|omega-3 fatty acids|saturated fat|trans fat|vitamin D|vitamin B12
        vitamin C|iron|calcium|magnesium|zinc|potassium|sodium|added sugar|complex carbohydrates
        the Mediterranean diet|the ketogenic diet|intermittent fasting|veganism|the paleo diet
        the DASH diet|creatine|caffeine|probiotics|prebiotics|electrolytes|antioxidants
        ultra-processed food|artificial sweeteners|gluten|lactose|collagen supplements
        whey protein|folate|vitamin K|iodine|choline""",
        """the health effects of {e}|the recommended intake of {e}|food sources of {e}
        the science behind {e}|myths about {e}|{e} for athletes|{e} during pregnancy""",
        """Is {e} good or bad for you?|How much {e} do I need per day?
        What happens if I get too much {e}?|Can {e} help with weight loss?
        Which foods are highest in {e}?|Should I take supplements for {e}?""",
        """plan a high-protein vegetarian week|read a nutrition label|cut down on sugar
        meal prep for a busy week|eat healthily on a tight budget|bulk without gaining much fat""",
    ),
    _domain(
        "psychology",
        "psychology",
        "a concept in psychology",
        """cognitive dissonance|confirmation bias|the Dunning-Kruger effect|attachment theory
        classical conditioning|operant conditioning|Maslow's hierarchy of needs|growth mindset
        learned helplessness|the bystander effect|impostor syndrome|procrastination|flow
        burnout|anxiety disorders|depression|ADHD|autism spectrum disorder|PTSD|OCD
        bipolar disorder|cognitive behavioral therapy|mindfulness|emotional intelligence
        the placebo effect|working memory|the Stanford prison experiment|the Milgram experiment
        the marshmallow test|groupthink|the halo effect|loss aversion|anchoring bias|grief
        introversion|the Big Five personality traits|motivation|habit formation|sleep and memory""",
        """the research behind {e}|criticisms of {e}|how {e} shows up in daily life
        the history of {e}|how {e} is measured|the neuroscience of {e}|how to cope with {e}""",
        """What is {e} really?|Is {e} supported by evidence?|How can I recognise {e} in myself?
        How does {e} affect relationships?|Can {e} be changed or overcome?""",
        """build a morning routine that sticks|stop procrastinating on a big project
        deal with social anxiety at work|support a friend who is grieving|improve my focus""",
    ),
    _domain(
        "history",
        "world history",
        "a historical event",
        """the French Revolution|the American Revolution|the Russian Revolution|World War I
        World War II|the Cold War|the fall of the Berlin Wall|the Cuban Missile Crisis
        the Industrial Revolution|the Renaissance|the Reformation|the Thirty Years' War
        the Hundred Years' War|the Black Death|the Crusades|the fall of Constantinople
        the Norman conquest of England|the Magna Carta|the Glorious Revolution|the Meiji Restoration
        the Opium Wars|the Taiping Rebellion|the partition of India|the Scramble for Africa
        the Haitian Revolution|the Napoleonic Wars|the Congress of Vienna|the Great Depression
        the New Deal|the Marshall Plan|the Korean War|the Vietnam War|the Iranian Revolution
        the collapse of the Soviet Union|the Rwandan genocide|apartheid in South Africa
        the Spanish Civil War|the Mexican Revolution|the Boxer Rebellion|the Suez Crisis
        the American Civil War|the Atlantic slave trade|the Columbian exchange
        the Age of Exploration
        the Mongol conquests|the Ottoman Empire's decline|the unification of Germany
        the unification of Italy|the Treaty of Versailles|the space race|the Arab Spring""",
        """the causes of {e}|the consequences of {e}|the key figures of {e}|the timeline of {e}
        how historians interpret {e}|the economic impact of {e}|the legacy of {e}
        common myths about {e}|primary sources on {e}|the social impact of {e}""",
        """Why did {e} happen?|Who won {e} and why?|How did {e} change the world?
        What would have happened without {e}?|How is {e} remembered today?
        What were ordinary people's lives like during {e}?|When exactly did {e} start and end?""",
    ),
    _domain(
        "historical-figures",
        "history",
        "a historical figure",
        """Julius Caesar|Cleopatra|Alexander the Great|Genghis Khan|Charlemagne|Joan of Arc
        Napoleon Bonaparte|Queen Victoria|Abraham Lincoln|George Washington|Thomas Jefferson
        Winston Churchill|Franklin D. Roosevelt|Mahatma Gandhi|Nelson Mandela|Martin Luther King Jr.
        Catherine the Great|Peter the Great|Elizabeth I|Henry VIII|Otto von Bismarck
        Simon Bolivar|Toussaint Louverture|Ataturk|Mao Zedong|Deng Xiaoping|Ho Chi Minh
        Leonardo da Vinci|Galileo Galilei|Isaac Newton|Marie Curie|Albert Einstein|Charles Darwin
        Nikola Tesla|Ada Lovelace|Alan Turing|Karl Marx|Florence Nightingale|Harriet Tubman
        Frederick Douglass|Suleiman the Magnificent|Akbar the Great|Confucius|Hannibal
        Augustus|Marcus Aurelius|Saladin|Mansa Musa|Emperor Meiji|Eleanor Roosevelt""",
        """the early life of {e}|the major achievements of {e}|the legacy of {e}
        the controversies surrounding {e}|the political ideas of {e}|the death of {e}
        the relationships of {e}|how {e} is portrayed in popular culture""",
        """Who was {e}?|Why is {e} considered important?|What did {e} get wrong?
        What was {e} like as a person?|How did {e} rise to power or fame?
        What are the best biographies of {e}?""",
    ),
    _domain(
        "ancient-world",
        "ancient history",
        "an ancient civilization",
        """ancient Egypt|ancient Greece|the Roman Republic|the Roman Empire|the Byzantine Empire
        Mesopotamia|the Sumerians|the Babylonians|the Assyrians|the Persian Empire|the Maya
        the Aztecs|the Inca|the Olmecs|the Indus Valley civilization|the Han dynasty
        the Qin dynasty|the Tang dynasty|the Zhou dynasty|the Mauryan Empire|the Gupta Empire
        Carthage|the Phoenicians|the Hittites|the Minoans|the Mycenaeans|the Etruscans
        the Vikings|the Celts|the Kingdom of Kush|Aksum|Great Zimbabwe|the Khmer Empire""",
        """the religion of {e}|the economy of {e}|the writing system of {e}|the decline of {e}
        the architecture of {e}|daily life in {e}|the military of {e}|the government of {e}
        the art of {e}|the science and technology of {e}""",
        """What did people eat in {e}?|Why did {e} collapse?|What language was spoken in {e}?
        How do we know so much about {e}?|What did {e} contribute to later cultures?""",
    ),
    _domain(
        "law",
        "law",
        "a legal concept",
        """adverse possession|habeas corpus|the statute of limitations|negligence|strict liability
        defamation|fair use|copyright infringement|trademark dilution|patent eligibility
        non-compete agreements|at-will employment|wrongful termination|breach of contract
        consideration in contract law|promissory estoppel|the parol evidence rule|force majeure
        joint and several liability|piercing the corporate veil|fiduciary duty|insider trading
        the Miranda warning|double jeopardy|the exclusionary rule|probable cause|self-defense
        the insanity defense|plea bargaining|class actions|arbitration clauses|GDPR compliance
        data protection impact assessments|tenant rights|eviction procedure|easements
        prenuptial agreements|child custody|probate|intestate succession|power of attorney
        diplomatic immunity|sovereign immunity|judicial review|the commerce clause
        the First Amendment|the Fourth Amendment|precedent and stare decisis""",
        """how {e} works in the United States|how {e} works under English law
        the history of {e}|landmark cases on {e}|the elements of {e}
        common misunderstandings about {e}
        how {e} differs between common law and civil law systems|recent developments in {e}""",
        """What is {e} in plain English?|Can you give an example of {e}?
        How would a court decide a case involving {e}?|Does {e} apply in the EU?
        What should a small business know about {e}?|What are the exceptions to {e}?""",
        """write a simple rental agreement|register a trademark|respond to a cease and desist letter
        file a small claims case|draft a privacy policy for a mobile app|set up an LLC""",
    ),
    _domain(
        "political-science",
        "political science",
        "a political concept",
        """liberal democracy|authoritarianism|federalism|separation of powers
        proportional representation
        first-past-the-post voting|ranked-choice voting|gerrymandering|populism|nationalism
        social contract theory|realism in international relations|liberal internationalism
        soft power|the United Nations Security Council|the European Union|NATO|sanctions
        the welfare state|lobbying|campaign finance|the electoral college|parliamentary systems
        presidential systems|constitutional monarchy|referendums|civil disobedience|secularism
        political polarization|deliberative democracy|judicial independence""",
        """the strengths and weaknesses of {e}|the history of {e}|how {e} works in practice
        the main theorists of {e}|examples of {e} around the world|critiques of {e}""",
        """Why does {e} matter?|How does {e} affect ordinary citizens?|Is {e} declining?
        Which countries use {e}?|What is the strongest argument against {e}?""",
    ),
    _domain(
        "economics",
        "economics",
        "an economic concept",
        """inflation|deflation|stagflation|quantitative easing|interest rates|the money supply
        fiscal policy|monetary policy|comparative advantage|tariffs|supply and demand
        price elasticity|opportunity cost|market failure|externalities|public goods
        the tragedy of the commons|game theory|the prisoner's dilemma|Nash equilibrium
        monopoly|oligopoly|perfect competition|GDP|purchasing power parity|the Phillips curve
        Keynesian economics|monetarism|the Laffer curve|universal basic income|minimum wage
        income inequality|the Gini coefficient|behavioral economics|moral hazard|adverse selection
        the business cycle|recessions|central bank independence|exchange rates|trade deficits
        cryptocurrency regulation|the gig economy|automation and jobs|housing affordability""",
        """the theory behind {e}|the empirical evidence on {e}|the history of {e}
        how policymakers use {e}|criticisms of {e}|{e} in developing countries
        how {e} affects households""",
        """Why does {e} happen?|Is {e} good or bad for the economy?|How do economists measure {e}?
        What is an everyday example of {e}?|How does {e} affect my savings?""",
        problems=("compound_interest", "elasticity", "loan"),
    ),
    _domain(
        "finance",
        "finance and investing",
        "a financial instrument or concept",
        """index funds|ETFs|mutual funds|bonds|treasury bills|municipal bonds|stock options
        call options|put options|futures contracts|credit default swaps|REITs|dividend stocks
        growth stocks|value investing|dollar-cost averaging|asset allocation|rebalancing
        a Roth IRA|a traditional IRA|a 401(k)|an HSA|capital gains tax|tax-loss harvesting
        the efficient market hypothesis|the capital asset pricing model|the Sharpe ratio
        discounted cash flow valuation|price-to-earnings ratios|short selling|margin trading
        leveraged ETFs|venture capital|private equity|IPOs|SPACs|stock buybacks|annuities
        term life insurance|whole life insurance|mortgages|adjustable-rate mortgages
        credit scores|emergency funds|the 4% rule|bitcoin|stablecoins""",
        """the risks of {e}|how {e} works|the tax treatment of {e}|the history of {e}
        the pros and cons of {e}|how beginners should think about {e}|the costs and fees of {e}""",
        """Is {e} a good investment right now?|How do I get started with {e}?
        What can go wrong with {e}?|How is {e} taxed?|Should I use {e} for retirement?""",
        """build a monthly budget|pay off credit card debt|start investing with 500 dollars
        compare two mortgage offers|read a company's balance sheet|save for a house deposit""",
        problems=("compound_interest", "loan", "npv", "cagr"),
    ),
    _domain(
        "accounting",
        "accounting",
        "an accounting concept",
        """double-entry bookkeeping|accrual accounting|cash basis accounting|depreciation
        amortization|the balance sheet|the income statement|the cash flow statement
        working capital|accounts receivable|accounts payable|deferred revenue|goodwill
        inventory valuation|FIFO and LIFO|revenue recognition under ASC 606|lease accounting
        EBITDA|gross margin|operating leverage|break-even analysis|cost allocation
        activity-based costing|variance analysis|the audit process|internal controls
        consolidated financial statements|tax provisions|IFRS versus GAAP""",
        """the rules for {e}|common mistakes with {e}|how auditors look at {e}
        an example of {e}|how {e} affects financial statements|the journal entries for {e}""",
        """How do I calculate {e}?|Why does {e} matter to investors?
        What is the difference between {e} and its cash equivalent?|How do I record {e}?""",
        problems=("depreciation", "break_even"),
    ),
    _domain(
        "business",
        "business and marketing",
        "a business concept",
        """product-market fit|customer acquisition cost|lifetime value|churn|net promoter score
        OKRs|agile project management|scrum|kanban|lean startup|the business model canvas
        SWOT analysis|Porter's five forces|brand positioning|content marketing|SEO
        email marketing|influencer marketing|pricing strategy|freemium models|subscription pricing
        B2B sales|cold outreach|negotiation|supply chain management|just-in-time inventory
        outsourcing|remote team management|performance reviews|hiring|company culture
        fundraising for startups|pitch decks|market sizing|competitive analysis
        customer segmentation|go-to-market strategy|franchising|e-commerce fulfillment""",
        """best practices for {e}|common mistakes in {e}|how startups approach {e}
        how to measure {e}|examples of companies that excel at {e}|the theory behind {e}""",
        """How do I get better at {e}?|What tools help with {e}?
        Is {e} worth it for a small business?
        What metrics matter for {e}?|How has {e} changed in the last decade?""",
        """write a business plan for a coffee shop|price a SaaS product|run a customer interview
        write a cold email to a potential client|plan a product launch|set quarterly OKRs
        write a job description for a senior engineer|prepare for a salary negotiation""",
    ),
    _domain(
        "programming-languages",
        "software engineering",
        "a programming language",
        """Python|JavaScript|TypeScript|Java|C|C++|C#|Go|Rust|Kotlin|Swift|Ruby|PHP|Scala
        Haskell|OCaml|Elixir|Erlang|Clojure|Julia|R|Lua|Perl|Dart|Zig|F#|Bash|MATLAB
        Fortran|COBOL|Nim|Crystal|Objective-C|Groovy|Solidity""",
        """error handling in {e}|concurrency in {e}|memory management in {e}|the type system of {e}
        generics in {e}|closures in {e}|package management in {e}|unit testing in {e}
        string handling in {e}|iterators in {e}|the standard library of {e}
        performance tuning in {e}
        idiomatic code style in {e}|metaprogramming in {e}|async programming in {e}
        modules and imports in {e}|pattern matching in {e}|immutability in {e}
        debugging {e} programs
        the build tooling of {e}|interop between {e} and C|object-oriented programming in {e}""",
        """Is {e} a good first language?|What is {e} best used for?|Why do people love or hate {e}?
        How fast is {e} compared to other languages?|What are the best resources to learn {e}?
        What changed in the latest version of {e}?|How do I structure a large {e} project?""",
        """reverse a linked list|parse a CSV file and compute the average of a column
        read a large file line by line without loading it into memory|implement a LRU cache
        debounce a function|retry an HTTP request with exponential backoff|validate an email address
        merge two sorted arrays|find duplicate files in a directory|implement binary search
        serialize an object to JSON|write a simple TCP echo server|compute a SHA-256 hash of a file
        flatten a nested list|implement a thread-safe counter|parse command line arguments
        format a date in ISO 8601|read environment variables with defaults|implement a trie
        detect a cycle in a linked list|generate all permutations of a string
        rate-limit calls to an API|download several URLs concurrently|implement a min-heap
        count word frequencies in a text|convert a string to title case|memoize a recursive function
        implement a producer-consumer queue|deep copy a nested structure
        write a unit test with a mock
        parse JSON and handle missing fields|implement a simple state machine
        paginate results from a REST API|compress a file with gzip
        schedule a job every 5 minutes""",
        code=True,
    ),
    _domain(
        "frameworks",
        "software engineering",
        "a software framework or library",
        """React|Vue|Angular|Svelte|Next.js|Nuxt|Django|Flask|FastAPI|Ruby on Rails|Laravel
        Spring Boot|ASP.NET Core|Express|NestJS|Phoenix|Gin|Actix Web|Axum|SwiftUI
        Jetpack Compose|Flutter|React Native|Electron|Tauri|Redux|Tailwind CSS|Bootstrap
        pandas|NumPy|SciPy|scikit-learn|PyTorch|TensorFlow|Keras|Hugging Face Transformers
        LangChain|SQLAlchemy|Prisma|Hibernate|Celery|Apache Kafka|Apache Spark|GraphQL
        gRPC|Socket.IO|Three.js|D3.js|Pydantic|pytest|Jest|Playwright|Cypress""",
        """routing in {e}|authentication in {e}|state management in {e}|testing {e} applications
        deploying {e} applications|database access in {e}|form validation in {e}
        performance optimization in {e}|the architecture of {e}|middleware in {e}
        error handling in {e}|configuration management in {e}|migrating to the latest {e}""",
        """Is {e} still worth learning?|How does {e} compare to its main alternatives?
        What are the most common mistakes beginners make with {e}?|How do I upgrade {e} safely?
        What are the best practices for structuring a {e} project?|Why is my {e} app slow?""",
        """set up JWT authentication|add pagination to a list endpoint|upload files to S3
        write an integration test for a REST endpoint|add dark mode|handle websocket reconnects
        cache expensive queries|implement infinite scroll|send transactional emails
        add role-based access control|internationalize the UI|stream a large response
        run background jobs|validate request payloads|set up logging with request ids
        connect to PostgreSQL with a connection pool|implement optimistic UI updates
        build a search box with autocomplete|add rate limiting to an API
        handle OAuth login with Google""",
        code=True,
    ),
    _domain(
        "algorithms",
        "computer science",
        "an algorithm or data structure",
        """quicksort|merge sort|heapsort|radix sort|binary search|breadth-first search
        depth-first search|Dijkstra's algorithm|A* search|Bellman-Ford|Floyd-Warshall
        Kruskal's algorithm|Prim's algorithm|topological sort|union-find|dynamic programming
        the knapsack problem|longest common subsequence|edit distance|KMP string matching
        Rabin-Karp|tries|suffix arrays|segment trees|Fenwick trees|red-black trees|AVL trees
        B-trees|skip lists|hash tables|bloom filters|HyperLogLog|consistent hashing
        reservoir sampling|the Fast Fourier Transform|Huffman coding|LZ77 compression
        the simplex method|gradient descent|minimax with alpha-beta pruning|backtracking
        the traveling salesman problem|max flow min cut|bipartite matching|Tarjan's algorithm
        the sliding window technique|two pointers|monotonic stacks|bit manipulation tricks""",
        """the time complexity of {e}|the space complexity of {e}|a step-by-step walkthrough of {e}
        the correctness proof of {e}|practical applications of {e}|common interview questions on {e}
        the variants of {e}|the history of {e}|edge cases in {e}""",
        """When should I use {e}?|Why is {e} efficient?|How do I implement {e} from scratch?
        What is the worst case for {e}?|How is {e} used in real systems?""",
        code=True,
    ),
    _domain(
        "databases",
        "databases",
        "a database system or concept",
        """PostgreSQL|MySQL|SQLite|MongoDB|Redis|Cassandra|DynamoDB|Elasticsearch|ClickHouse
        Snowflake|BigQuery|Neo4j|CockroachDB|database indexes|B-tree indexes|query planning
        transactions|isolation levels|MVCC|write-ahead logging|replication|sharding
        partitioning|normalization|denormalization|foreign keys|stored procedures|triggers
        materialized views|window functions|common table expressions|JSON columns
        full-text search|connection pooling|deadlocks|vacuuming|schema migrations|ORMs
        the CAP theorem|eventual consistency|change data capture|data warehouses|OLAP cubes""",
        """how {e} works internally|performance tuning for {e}|common pitfalls with {e}
        when to use {e}|scaling {e}|monitoring {e}|backing up and restoring {e}""",
        """Why is my query slow when using {e}?|Is {e} a good fit for a high-write workload?
        How does {e} compare to its alternatives?|How do I debug problems with {e}?""",
        """write a query for the top 3 products per category|find duplicate rows in a table
        design a schema for a blog with tags|migrate a column type without downtime
        compute a running total|speed up a slow JOIN|model many-to-many relationships
        store and query time series data|implement soft deletes|paginate with keyset pagination""",
        code=True,
    ),
    _domain(
        "devops",
        "devops and cloud infrastructure",
        "a devops or cloud tool",
        """Docker|Kubernetes|Helm|Terraform|Ansible|Pulumi|GitHub Actions|GitLab CI|Jenkins
        ArgoCD|Prometheus|Grafana|OpenTelemetry|nginx|HAProxy|Envoy|Istio|AWS Lambda
        AWS ECS|Amazon S3|Amazon RDS|Google Cloud Run|Azure Functions|Cloudflare Workers
        Vault|systemd|cron|Linux cgroups|load balancers|CDNs|blue-green deployments
        canary releases|infrastructure as code|service meshes|container registries
        log aggregation|autoscaling|secrets management|disaster recovery""",
        """setting up {e}|securing {e}|troubleshooting {e}|the cost of running {e}
        best practices for {e}|monitoring {e}|the architecture of {e}|alternatives to {e}""",
        """Why does my {e} setup keep failing?|Is {e} overkill for a small team?
        How do I get started with {e}?|What are common misconfigurations of {e}?""",
        """write a Dockerfile for a Python web app
        deploy a container to Kubernetes with a health check
        set up a CI pipeline that runs tests on every pull request
        rotate TLS certificates automatically
        configure log rotation|set up alerts for high error rates|reduce Docker image size
        run database migrations during deployment|expose a service behind nginx with HTTPS
        provision an S3 bucket with Terraform|debug a pod stuck in CrashLoopBackOff""",
        code=True,
    ),
    _domain(
        "systems",
        "computer systems and networking",
        "a computer systems concept",
        """TCP|UDP|HTTP/2|HTTP/3 and QUIC|DNS|TLS handshakes|BGP|NAT|IPv6|DHCP|ARP|VPNs
        virtual memory|page tables|context switching|process scheduling|system calls
        file systems|inodes|journaling|RAID|CPU caches|branch prediction|SIMD|garbage collection
        just-in-time compilation|the Linux kernel|interrupts|DMA|mutexes|semaphores
        lock-free data structures|epoll|io_uring|the C10K problem|Raft consensus|Paxos
        vector clocks|two-phase commit|distributed tracing|Unicode and UTF-8|floating point""",
        """how {e} works under the hood|performance implications of {e}|the history of {e}
        security issues with {e}|debugging problems related to {e}|design trade-offs in {e}""",
        """What actually happens during {e}?|Why was {e} designed this way?
        How do I observe {e} on a Linux machine?|What are the failure modes of {e}?""",
        code=True,
    ),
    _domain(
        "security",
        "cybersecurity",
        "a cybersecurity topic",
        """SQL injection|cross-site scripting|CSRF|SSRF|buffer overflows|phishing|ransomware
        zero-day vulnerabilities|public key cryptography|AES|RSA|elliptic curve cryptography
        password hashing with bcrypt and argon2|two-factor authentication|OAuth 2.0|OpenID Connect
        JSON Web Tokens|TLS certificates|certificate pinning|zero trust architecture
        penetration testing|threat modeling|security audits|SIEM|intrusion detection
        supply chain attacks|dependency scanning|secure coding|the OWASP Top 10|social engineering
        DDoS mitigation|firewalls|endpoint detection|incident response|privilege escalation""",
        """how {e} works|defending against {e}|real-world incidents involving {e}
        detecting {e}|the history of {e}|best practices for {e}""",
        """How do I protect my web app from {e}?|How serious is {e} for a small company?
        What tools help with {e}?|How do I explain {e} to non-technical colleagues?""",
        """store user passwords securely|set up 2FA for an internal app
        scan my dependencies for CVEs
        write a security checklist for a new API|configure CSP headers""",
        code=True,
    ),
    _domain(
        "machine-learning",
        "machine learning",
        "a machine learning concept",
        """linear regression|logistic regression|decision trees|random forests|gradient boosting
        XGBoost|support vector machines|k-means clustering|DBSCAN|principal component analysis
        t-SNE|UMAP|neural networks|backpropagation|convolutional neural networks
        recurrent neural networks|LSTMs|transformers|self-attention|positional encodings
        batch normalization|dropout|overfitting|regularization|cross-validation
        the bias-variance tradeoff|learning rate schedules|the Adam optimizer|transfer learning
        fine-tuning|LoRA|reinforcement learning|Q-learning|policy gradients|RLHF|GANs
        diffusion models|variational autoencoders|word embeddings|tokenization|beam search
        retrieval-augmented generation|knowledge distillation|quantization|model pruning
        mixture of experts|contrastive learning|anomaly detection|recommender systems""",
        """the intuition behind {e}|the mathematics of {e}|when to use {e}|the limitations of {e}
        how to tune {e}|the history of {e}|common bugs when implementing {e}
        recent advances in {e}|how {e} is evaluated""",
        """How does {e} actually work?|Why does {e} work so well?|When does {e} fail?
        How do I implement {e} in PyTorch?|What are good hyperparameters for {e}?""",
        code=True,
    ),
    _domain(
        "mathematics",
        "mathematics",
        "a topic in mathematics",
        """prime numbers|the Riemann hypothesis|Fermat's last theorem|group theory|ring theory
        linear algebra|eigenvalues and eigenvectors|matrix decompositions|vector spaces
        calculus|limits|derivatives|integrals|Taylor series|Fourier series|Fourier transforms
        differential equations|partial differential equations|complex numbers|Euler's identity
        topology|manifolds|knot theory|graph theory|combinatorics|the pigeonhole principle
        mathematical induction|proof by contradiction|set theory|Godel's incompleteness theorems
        the Monty Hall problem|infinity and cardinality|fractals|chaos theory|game theory
        number theory|modular arithmetic|the Fibonacci sequence|the golden ratio|pi
        non-Euclidean geometry|trigonometry|conic sections|logarithms|Bayes' theorem
        Markov chains|the central limit theorem|category theory|measure theory|p-adic numbers""",
        """the definition of {e}|the key theorems about {e}|the history of {e}
        applications of {e}|an intuitive picture of {e}|famous problems involving {e}
        how {e} connects to other areas of mathematics|common student mistakes with {e}""",
        """What is the point of {e}?|Can you give a simple example of {e}?|Who invented {e}?
        How do I get better at {e}?|Why is {e} considered beautiful?""",
        problems=(
            "linear",
            "quadratic",
            "system",
            "derivative",
            "integral",
            "limit",
            "series",
            "matrix",
            "gcd",
            "modular",
            "geometry",
            "combinatorics",
            "sequence",
        ),
    ),
    _domain(
        "statistics",
        "statistics",
        "a statistical method",
        """hypothesis testing|p-values|confidence intervals|t-tests|chi-square tests|ANOVA
        linear regression diagnostics|multiple regression|logistic regression|Bayesian inference
        maximum likelihood estimation|bootstrapping|A/B testing|statistical power|effect sizes
        multiple comparisons correction|survival analysis|time series forecasting|ARIMA
        the normal distribution|the Poisson distribution|the binomial distribution
        correlation versus causation|Simpson's paradox|sampling bias|stratified sampling
        propensity score matching|difference-in-differences|instrumental variables
        mixed effects models|principal component analysis|Markov chain Monte Carlo""",
        """the assumptions of {e}|how to interpret {e}|common misuses of {e}|when to use {e}
        how to run {e} in R or Python|the intuition behind {e}""",
        """How do I explain {e} to my manager?|What sample size do I need for {e}?
        Is {e} appropriate for my data?|What does a significant result in {e} mean?""",
        problems=("probability", "descriptive", "binomial", "z_test"),
    ),
    _domain(
        "cooking",
        "cooking",
        "a dish",
        """risotto|carbonara|pad thai|ramen|pho|bibimbap|paella|coq au vin|beef bourguignon
        chicken tikka masala|butter chicken|dal|biryani|shakshuka|falafel|hummus|moussaka
        lasagna|gnocchi|sourdough bread|focaccia|croissants|baguettes|brioche|pizza dough
        tacos al pastor|mole poblano|ceviche|empanadas|feijoada|jollof rice|tagine|couscous
        sushi rice|miso soup|tempura|dumplings|mapo tofu|kung pao chicken|Peking duck
        french onion soup|ratatouille|quiche|souffle|creme brulee|tiramisu|cheesecake
        brownies|chocolate chip cookies|banana bread|apple pie|macarons|pavlova|gazpacho
        Thanksgiving turkey|pulled pork|brisket|roast chicken|steak""",
        """a classic recipe for {e}|the history of {e}|common mistakes when making {e}
        regional variations of {e}|vegetarian versions of {e}|the technique behind {e}
        what to serve with {e}|making {e} ahead of time""",
        """How do I make {e} at home?|Why did my {e} turn out dry?|Can I freeze {e}?
        What wine goes well with {e}?|How do I scale a recipe for {e} to feed 12 people?
        What is the secret to really good {e}?|Can I make {e} without an oven?""",
        """make a sourdough starter|sharpen a kitchen knife|make a roux|temper chocolate
        cook rice perfectly on the stove|make stock from leftover bones|poach an egg
        season a cast iron pan|make fresh pasta by hand|caramelize onions quickly
        brine a chicken|make a vinaigrette that doesn't separate|substitute eggs in baking
        plan meals for a week with a small budget|cook a steak medium rare""",
    ),
    _domain(
        "sports",
        "sports",
        "a sport",
        """football (soccer)|American football|basketball|baseball|cricket|rugby union|tennis
        golf|ice hockey|volleyball|table tennis|badminton|swimming|marathon running|cycling
        triathlon|boxing|mixed martial arts|judo|Brazilian jiu-jitsu|fencing|rowing|sailing
        surfing|skiing|snowboarding|rock climbing|gymnastics|figure skating|Formula 1
        handball|water polo|lacrosse|squash|chess|darts|snooker|archery|curling""",
        """the rules of {e}|the history of {e}|tactics and strategy in {e}|training for {e}
        the greatest players of {e}|the equipment used in {e}|injuries common in {e}
        the economics of professional {e}|how {e} is scored""",
        """How do I get started with {e} as an adult?|Who is the best {e} player of all time?
        Why is {e} so popular in some countries?|How fit do you need to be for {e}?
        What are the most controversial rules in {e}?""",
    ),
    _domain(
        "fitness",
        "fitness and training",
        "an exercise or training method",
        """squats|deadlifts|bench press|pull-ups|push-ups|planks|lunges|kettlebell swings
        HIIT|zone 2 cardio|progressive overload|periodization|mobility training|yoga
        pilates|stretching|foam rolling|rest days|muscle hypertrophy|strength training for women
        running form|interval training|VO2 max|heart rate zones|recovery|protein timing
        calisthenics|powerlifting|Olympic weightlifting|CrossFit""",
        """proper technique for {e}|the benefits of {e}|common mistakes in {e}
        the science behind {e}|how beginners should approach {e}
        programming {e} into a weekly plan""",
        """How often should I do {e}?|Is {e} bad for my knees?
        How long until I see results from {e}?
        Can I do {e} at home without equipment?|What muscles does {e} work?""",
        """build a 3-day full body workout|train for my first 10k|fix lower back pain from sitting
        get back in shape after an injury|increase my bench press""",
    ),
    _domain(
        "music",
        "music",
        "a musician, genre or instrument",
        """Johann Sebastian Bach|Mozart|Beethoven|Chopin|Debussy|Stravinsky|Miles Davis
        John Coltrane|Billie Holiday|The Beatles|The Rolling Stones|Bob Dylan|David Bowie
        Prince|Michael Jackson|Madonna|Beyonce|Taylor Swift|Kendrick Lamar|Radiohead
        jazz|blues|baroque music|hip hop|punk rock|heavy metal|bossa nova|reggae|K-pop
        techno|house music|the piano|the violin|the guitar|the drums|the saxophone
        the cello|music theory|the circle of fifths|counterpoint|twelve-tone music
        sonata form|syncopation|modes|chord progressions""",
        """the history of {e}|the influence of {e}|the defining characteristics of {e}
        how to get into {e}|the most important recordings of {e}|the technique behind {e}""",
        """Why is {e} so influential?|What should I listen to first to understand {e}?
        How long does it take to learn {e}?|What makes {e} sound the way it does?""",
        """learn to read sheet music|practise scales efficiently|write a chorus that sticks
        set up a home recording studio|tune a guitar by ear""",
    ),
    _domain(
        "visual-arts",
        "art history",
        "an artist or art movement",
        """Impressionism|Post-Impressionism|Cubism|Surrealism|Dadaism|Abstract Expressionism
        Pop Art|Baroque art|Rococo|Romanticism|Art Nouveau|Art Deco|Bauhaus|Minimalism
        the Pre-Raphaelites|Ukiyo-e|Rembrandt|Vermeer|Caravaggio|Michelangelo|Raphael
        Claude Monet|Vincent van Gogh|Paul Cezanne|Pablo Picasso|Frida Kahlo|Salvador Dali
        Georgia O'Keeffe|Andy Warhol|Jackson Pollock|Mark Rothko|Gustav Klimt|Hokusai
        Yayoi Kusama|Jean-Michel Basquiat|Banksy|Edward Hopper|Henri Matisse|Wassily Kandinsky""",
        """the key works of {e}|the techniques of {e}|the historical context of {e}
        the influence of {e} on later art|how to recognise {e}|critical reception of {e}""",
        """Why is {e} considered important?|Where can I see work by or from {e}?
        How did {e} change art?|What should I look for in a painting from {e}?""",
        """start oil painting as a beginner|draw realistic portraits|mix skin tones in acrylic
        photograph artwork for a portfolio""",
    ),
    _domain(
        "literature",
        "literature",
        "a literary work",
        """Hamlet|Macbeth|King Lear|Pride and Prejudice|Jane Eyre|Wuthering Heights|Moby-Dick
        Crime and Punishment|The Brothers Karamazov|Anna Karenina|War and Peace|Madame Bovary
        Don Quixote|The Divine Comedy|The Odyssey|The Iliad|Beowulf|The Canterbury Tales
        Ulysses|Mrs Dalloway|The Great Gatsby|1984|Brave New World|To Kill a Mockingbird
        One Hundred Years of Solitude|Things Fall Apart|Beloved|The Catcher in the Rye
        Frankenstein|Dracula|The Metamorphosis|The Trial|Lolita|Invisible Man|The Handmaid's Tale
        Middlemarch|Great Expectations|Les Miserables|The Stranger|Waiting for Godot
        The Tale of Genji|Dream of the Red Chamber|Midnight's Children|The Road|Beloved""",
        """the main themes of {e}|the characters of {e}|the historical context of {e}
        the narrative style of {e}|critical interpretations of {e}|the symbolism in {e}
        the ending of {e}|the reception of {e}""",
        """What is {e} really about?|Is {e} worth reading today?|Why is {e} considered a classic?
        What should I know before reading {e}?|Who is the most interesting character in {e}?
        Can you suggest essay topics on {e}?""",
    ),
    _domain(
        "film",
        "film and television",
        "a film, director or series",
        """Citizen Kane|Casablanca|The Godfather|Vertigo|Seven Samurai|Spirited Away|Parasite
        2001: A Space Odyssey|Blade Runner|Pulp Fiction|The Shawshank Redemption|Inception
        The Matrix|Alien|Jaws|Star Wars|Lawrence of Arabia|Rashomon|Bicycle Thieves
        Alfred Hitchcock|Stanley Kubrick|Akira Kurosawa|Martin Scorsese|Agnes Varda
        Hayao Miyazaki|Christopher Nolan|Greta Gerwig|Bong Joon-ho|Wong Kar-wai
        Breaking Bad|The Wire|The Sopranos|Twin Peaks|Mad Men|film noir|the French New Wave
        Italian neorealism|documentary filmmaking|film editing|cinematography""",
        """the themes of {e}|the visual style of {e}|the production history of {e}
        the influence of {e}|how critics received {e}|the cultural impact of {e}""",
        """Why is {e} so highly rated?|What should I watch after {e}?
        What does the ending of {e} mean?
        How was {e} made on its budget?|Is {e} suitable for teenagers?""",
        """write a short film script|storyboard a scene|color grade footage on a budget""",
    ),
    _domain(
        "geography",
        "geography",
        "a country",
        """Argentina|Australia|Austria|Bangladesh|Belgium|Bolivia|Brazil|Bulgaria|Canada|Chile
        China|Colombia|Croatia|Cuba|the Czech Republic|Denmark|Egypt|Estonia|Ethiopia|Finland
        France|Germany|Ghana|Greece|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel
        Italy|Japan|Jordan|Kazakhstan|Kenya|Laos|Lebanon|Madagascar|Malaysia|Mexico|Mongolia
        Morocco|Myanmar|Nepal|the Netherlands|New Zealand|Nigeria|Norway|Pakistan|Peru
        the Philippines|Poland|Portugal|Romania|Rwanda|Saudi Arabia|Senegal|Singapore
        South Africa|South Korea|Spain|Sri Lanka|Sweden|Switzerland|Tanzania|Thailand
        Tunisia|Turkey|Uganda|Ukraine|the United Kingdom|the United States|Uruguay|Vietnam""",
        """the geography of {e}|the climate of {e}|the economy of {e}|the political system of {e}
        the culture of {e}|the history of {e}|the languages of {e}|the cuisine of {e}
        the demographics of {e}|the natural resources of {e}|the education system of {e}""",
        """What is the capital of {e} and why is it there?|Is {e} safe for tourists?
        What is {e} famous for?|What is the best time of year to visit {e}?
        How did {e} become independent?|What are the biggest challenges facing {e} today?
        What is the cost of living in {e}?""",
    ),
    _domain(
        "cities",
        "travel",
        "a city",
        """Paris|London|Rome|Barcelona|Lisbon|Amsterdam|Berlin|Prague|Vienna|Budapest|Istanbul
        Athens|Copenhagen|Stockholm|Reykjavik|Dubrovnik|Edinburgh|Dublin|New York|San Francisco
        Chicago|New Orleans|Mexico City|Buenos Aires|Rio de Janeiro|Lima|Cusco|Havana
        Tokyo|Kyoto|Seoul|Beijing|Shanghai|Hong Kong|Taipei|Bangkok|Hanoi|Singapore
        Bali|Mumbai|Delhi|Kathmandu|Dubai|Marrakech|Cairo|Cape Town|Nairobi|Sydney|Melbourne
        Auckland|Vancouver|Montreal""",
        """a three-day itinerary for {e}|the best neighbourhoods to stay in {e}
        the food scene in {e}
        getting around {e} by public transport|the history of {e}|day trips from {e}
        budget travel in {e}|visiting {e} with kids""",
        """What should I not miss in {e}?|Is {e} expensive?|When is the best time to visit {e}?
        Is {e} walkable?|What are common tourist scams in {e}?|How many days do I need in {e}?""",
        """plan a two-week trip through Southeast Asia|pack light for a month of travel
        find cheap flights|get a travel visa|avoid jet lag""",
    ),
    _domain(
        "languages",
        "linguistics and language learning",
        "a language",
        """Spanish|French|German|Italian|Portuguese|Dutch|Swedish|Polish|Russian|Ukrainian
        Greek|Turkish|Arabic|Hebrew|Persian|Hindi|Bengali|Urdu|Mandarin Chinese|Cantonese
        Japanese|Korean|Vietnamese|Thai|Indonesian|Tagalog|Swahili|Yoruba|Finnish|Hungarian
        Icelandic|Welsh|Irish|Latin|Ancient Greek|Esperanto|Basque|Navajo|Quechua""",
        """the grammar of {e}|the pronunciation of {e}|the writing system of {e}
        verb conjugation in {e}|the history of {e}|the dialects of {e}|learning {e} as an adult
        common mistakes English speakers make in {e}|the vocabulary of {e}""",
        """How long does it take to learn {e}?|Is {e} hard for English speakers?
        What is the best way to practise speaking {e}?|How different are the dialects of {e}?
        What are some beautiful words in {e} with no English equivalent?
        How do I say 'nice to meet you' in {e}?""",
        """learn 50 new words a week|prepare for a language proficiency exam
        find a language exchange partner|improve my accent""",
    ),
    _domain(
        "philosophy",
        "philosophy",
        "a philosopher or philosophical idea",
        """Socrates|Plato|Aristotle|Epicurus|the Stoics|Augustine|Thomas Aquinas|Descartes
        Spinoza|Leibniz|John Locke|David Hume|Immanuel Kant|Hegel|Kierkegaard|Nietzsche
        John Stuart Mill|Karl Marx|Wittgenstein|Heidegger|Sartre|Simone de Beauvoir|Camus
        Hannah Arendt|John Rawls|Michel Foucault|Confucius|Laozi|Nagarjuna|Zhuangzi
        utilitarianism|deontology|virtue ethics|existentialism|nihilism|free will|determinism
        the mind-body problem|personal identity|the trolley problem|moral relativism
        epistemology|skepticism|empiricism|rationalism|phenomenology|pragmatism
        the problem of induction|the ship of Theseus|the veil of ignorance""",
        """the central arguments of {e}|objections to {e}|the historical context of {e}
        the influence of {e}|how {e} applies to modern life|the key texts on {e}""",
        """What would {e} say about social media?|Is {e} still relevant today?
        What is the strongest criticism of {e}?|Where should a beginner start with {e}?
        How does {e} differ from what came before?""",
    ),
    _domain(
        "religion",
        "religion and mythology",
        "a religion, myth or deity",
        """Buddhism|Hinduism|Judaism|Christianity|Islam|Sikhism|Jainism|Taoism|Shinto
        Zoroastrianism|the Bahai faith|Greek mythology|Norse mythology|Egyptian mythology
        Aztec mythology|Celtic mythology|Zeus|Odin|Thor|Loki|Ra|Anubis|Osiris|Quetzalcoatl
        the Mahabharata|the Ramayana|the Epic of Gilgamesh|the Bhagavad Gita|the Book of Job
        Sufism|Zen|Gnosticism|the Dead Sea Scrolls|Ramadan|Diwali|Passover|Lent""",
        """the origins of {e}|the main beliefs of {e}|the rituals of {e}|the texts of {e}
        the spread of {e}|the influence of {e} on art|the symbolism of {e}""",
        """What do followers of {e} believe about the afterlife?|How did {e} begin?
        What are the main stories about {e}?|How is {e} practised today?""",
    ),
    _domain(
        "engineering",
        "engineering",
        "an engineering concept",
        """stress and strain|beam deflection|truss analysis|fatigue failure|fracture mechanics
        heat exchangers|internal combustion engines|jet engines|gas turbines|hydraulics
        pneumatics|gear trains|bearings|welding|CNC machining|3D printing|injection molding
        reinforced concrete|prestressed concrete|suspension bridges|arch bridges|foundations
        retaining walls|earthquake-resistant design|HVAC systems|fluid dynamics in pipes
        pumps|control systems|PID controllers|finite element analysis|tolerances and fits
        lean manufacturing|six sigma|reliability engineering|wind turbines|solar panels
        hydroelectric dams|nuclear reactors|desalination|water treatment""",
        """the design principles of {e}|failure modes of {e}|the calculations behind {e}
        the materials used in {e}|the history of {e}|safety standards for {e}
        the efficiency of {e}|recent innovations in {e}""",
        """How does {e} work?|What are the main design trade-offs in {e}?
        How do engineers test {e}?|What went wrong in famous failures of {e}?""",
        problems=("beam", "energy", "kinematics"),
    ),
    _domain(
        "electronics",
        "electrical engineering",
        "an electronic component or concept",
        """resistors|capacitors|inductors|diodes|LEDs|transistors|MOSFETs|op-amps|555 timers
        voltage regulators|buck converters|boost converters|H-bridges|microcontrollers|Arduino
        Raspberry Pi|FPGAs|PCB design|I2C|SPI|UART|CAN bus|analog-to-digital converters
        PWM|RC filters|impedance matching|antennas|transformers|three-phase power
        lithium-ion batteries|battery management systems|electric motors|stepper motors
        servo motors|grounding|EMI shielding|oscilloscopes|soldering""",
        """how {e} works|choosing the right {e}|common mistakes with {e}|the theory behind {e}
        testing and measuring {e}|the history of {e}|practical circuits using {e}""",
        """Why does my circuit with {e} get hot?|How do I read the datasheet for {e}?
        What is {e} used for in everyday devices?|Can I replace {e} with something cheaper?""",
        """build a temperature logger with an Arduino|design a 5V power supply
        debounce a push button|drive a relay from a microcontroller|blink an LED with a timer""",
        code=True,
        problems=("circuit",),
    ),
    _domain(
        "architecture",
        "architecture",
        "an architectural style or building",
        """Gothic architecture|Romanesque architecture|Baroque architecture|Brutalism|modernism
        postmodern architecture|Art Deco buildings|Palladian architecture|Islamic architecture
        Japanese temple architecture|the Parthenon|the Pantheon|Hagia Sophia|Notre-Dame de Paris
        the Sagrada Familia|the Taj Mahal|the Forbidden City|Angkor Wat|Fallingwater
        the Guggenheim Bilbao|the Sydney Opera House|the Burj Khalifa|the Empire State Building
        Le Corbusier|Frank Lloyd Wright|Zaha Hadid|Mies van der Rohe|Antoni Gaudi
        passive house design|tiny houses|timber skyscrapers|adaptive reuse""",
        """the defining features of {e}|the history of {e}|the engineering behind {e}
        the influence of {e}|criticisms of {e}|the materials of {e}""",
        """Why does {e} look the way it does?|Where can I see great examples of {e}?
        How did {e} change how we build?|Is {e} sustainable?""",
    ),
    _domain(
        "automotive",
        "cars and mechanics",
        "a car component or technology",
        """turbochargers|hybrid drivetrains|electric vehicle batteries|regenerative braking
        automatic transmissions|CVTs|manual transmissions|disc brakes|ABS|traction control
        all-wheel drive|diesel engines|timing belts|spark plugs|catalytic converters
        suspension systems|tire pressure|wheel alignment|engine oil|coolant systems
        fuel injection|the OBD-II port|adaptive cruise control|lane keeping assist
        EV charging|hydrogen fuel cells""",
        """how {e} work|maintaining {e}|common problems with {e}|the cost of repairing {e}
        the history of {e}|the future of {e}""",
        """How often should I replace {e}?|What are signs that {e} are failing?
        Are {e} worth the extra money?|Can I fix {e} myself?""",
        """change my car's oil|jump-start a car|replace brake pads|diagnose a check engine light
        choose between a hybrid and an EV|negotiate the price of a used car""",
    ),
    _domain(
        "aerospace",
        "aviation and space exploration",
        "an aircraft, spacecraft or space mission",
        """the Apollo program|the Space Shuttle|the International Space Station
        the Hubble Space Telescope
        the James Webb Space Telescope|Voyager 1|Voyager 2|the Mars rovers|Cassini-Huygens
        New Horizons|SpaceX Falcon 9|Starship|the Saturn V|Sputnik|Vostok 1|the Artemis program
        reusable rockets|orbital mechanics|Hohmann transfers|ion propulsion|heat shields
        the Boeing 747|the Concorde|the Airbus A380|the Wright Flyer|the SR-71 Blackbird
        jet lag and aviation medicine|air traffic control|autopilot systems|aircraft wings
        helicopters|drones|the sound barrier|black boxes""",
        """the history of {e}|the engineering of {e}|the scientific results of {e}
        the risks involved in {e}|the cost of {e}|the legacy of {e}""",
        """How does {e} actually work?|What was the hardest problem in {e}?
        Why was {e} such a big deal?|What comes after {e}?""",
        problems=("orbital", "kinematics"),
    ),
    _domain(
        "home",
        "home improvement",
        "a home improvement topic",
        """drywall repair|interior painting|tiling a bathroom|hardwood floors|laminate flooring
        insulation|double glazing|heat pumps|gas boilers|solar water heaters|smart thermostats
        leaky faucets|running toilets|clogged drains|electrical outlets|light switches
        ceiling fans|deck building|fence installation|roof leaks|gutters|mold|damp walls
        kitchen renovation|bathroom renovation|basement waterproofing|window caulking""",
        """the cost of {e}|doing {e} yourself versus hiring someone|common mistakes with {e}
        the tools needed for {e}|how long {e} takes|building regulations for {e}""",
        """How do I fix {e} myself?|How much should {e} cost?|Is {e} worth the investment?
        What is the best material for {e}?""",
        """patch a hole in drywall|paint a room without streaks|unclog a sink without chemicals
        replace a light switch safely|bleed a radiator|hang heavy shelves on a plaster wall
        fix a squeaky door|reduce my heating bill""",
    ),
)


def domain_named(name: str) -> Domain:
    for domain in DOMAINS:
        if domain.name == name:
            return domain
    raise KeyError(name)
