// guard dashboard: polls api/summary with the admin token and draws it as SVG.
// No libraries, no network but this server: the page must work on an isolated network.
"use strict";

(function () {
  const TOKEN_KEY = "guard-admin-token";
  const REFRESH_MS = 3000;
  const SVG = "http://www.w3.org/2000/svg";
  const W = 480, H = 270, PAD = { l: 44, r: 12, t: 10, b: 24 };
  const ACTION_COLORS = {
    allow: "#9aa5b1", log: "#cbd2d9", throttle: "#f0b429", tarpit: "#de911d",
    cap: "#b197fc", block: "#d64545", decoy: "#7c5cff", perturb: "#3f8cff",
    watermark: "#2bb0a8",
  };
  const PALETTE = ["#3f8cff", "#d64545", "#2bb0a8", "#f0b429", "#7c5cff", "#e8590c",
    "#0b7285", "#5c940d"];

  const $ = (id) => document.getElementById(id);
  let timer = null;
  let selected = null;

  // Token: "#token=..." once (never sent to the server, so never in its logs), else the form.
  function takeTokenFromHash() {
    const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  function showLogin(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (timer) { clearTimeout(timer); timer = null; }
    $("main").hidden = true;
    $("login").hidden = false;
    $("login-error").hidden = !message;
    $("login-error").textContent = message || "";
    $("token").focus();
  }

  async function api(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, {
      headers: { Authorization: "Bearer " + token },
      cache: "no-store",
    });
    if (response.status === 401 || response.status === 404) {
      const body = await response.json().catch(() => ({}));
      const message = (body.error && body.error.message) || "HTTP " + response.status;
      const error = new Error(message);
      error.auth = true;
      throw error;
    }
    if (!response.ok) throw new Error("HTTP " + response.status + " from " + path);
    return response.json();
  }

  async function refresh() {
    timer = null;
    try {
      const summary = await api("api/summary");
      render(summary);
      if (selected) await renderDetail(selected);
      $("error").textContent = "";
    } catch (error) {
      if (error.auth) { showLogin(error.message); return; }
      $("error").textContent = "update failed: " + error.message;
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  // Rendering ---------------------------------------------------------------------------------

  function el(tag, attrs, text) {
    const node = tag.startsWith("svg:")
      ? document.createElementNS(SVG, tag.slice(4))
      : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(s) {
    $("main").hidden = false;
    $("login").hidden = true;
    const store = $("store");
    store.textContent = s.store.ok ? "store " + s.store.backend + " ok" : "store unavailable";
    store.className = "pill " + (s.store.ok ? "ok" : "bad");
    const mode = $("mode");
    mode.textContent = s.policy.mode;
    mode.className = "pill " + (s.policy.mode === "shadow" ? "shadow" : "ok");
    $("policy-source").textContent = s.policy.source;
    $("policy-hash").textContent = s.policy.hash;
    $("policy-rules").textContent = s.policy.rules + " rules" +
      (s.policy.tiers.length ? ", tiers " + s.policy.tiers.join(", ") : "") +
      ", fail " + s.policy.fail;
    $("version").textContent = s.version;
    $("updated").textContent = "updated " + clock(s.now);
    $("t-requests").textContent = s.totals.requests.toLocaleString();
    $("t-keys").textContent = s.totals.keys.toLocaleString();
    $("t-flagged").textContent = s.totals.flagged.toLocaleString();
    $("t-campaigns").textContent = s.totals.campaigns.toLocaleString();
    $("actions-bucket").textContent = "(per " + s.timeline.bucket + " s)";
    $("coverage-window").textContent = "(distinct cells, " + s.window + " window)";
    drawActions(s.timeline);
    const keyLines = s.top_keys.filter((k) => k.series.length).slice(0, 6)
      .map((k, i) => ({ name: short(k.key_id), color: PALETTE[i % PALETTE.length], points: k.series }));
    drawLines("chart-keys", "legend-keys", "keys", keyLines, s.now);
    const campaignLines = s.campaigns.filter((c) => c.series.length).slice(0, 6)
      .map((c, i) => ({ name: c.id, color: PALETTE[i % PALETTE.length], points: c.series }));
    drawLines("chart-campaigns", "legend-campaigns", "campaigns", campaignLines, s.now);
    renderKeys(s.top_keys);
    renderCampaigns(s.campaigns);
  }

  function frame(name) {
    const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, "data-chart": name, role: "img" });
    return svg;
  }

  function empty(svg, text) {
    svg.appendChild(el("svg:text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, text));
  }

  function axes(svg, maxY, x0, x1) {
    const bottom = H - PAD.b;
    for (const f of [0, 0.5, 1]) {
      const y = bottom - f * (bottom - PAD.t);
      svg.appendChild(el("svg:line", { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: f ? "grid" : "axis" }));
      svg.appendChild(el("svg:text", { x: PAD.l - 6, y: y + 4, "text-anchor": "end" }, compact(maxY * f)));
    }
    svg.appendChild(el("svg:text", { x: PAD.l, y: H - 6 }, clock(x0)));
    svg.appendChild(el("svg:text", { x: W - PAD.r, y: H - 6, "text-anchor": "end" }, clock(x1)));
  }

  function drawActions(timeline) {
    const box = $("chart-actions");
    const svg = frame("actions");
    const names = Object.keys(timeline.actions);
    const n = timeline.count;
    const totals = new Array(n).fill(0);
    for (const name of names) timeline.actions[name].forEach((v, i) => { totals[i] += v; });
    const maxY = niceMax(Math.max(0, ...totals));
    if (!names.length) {
      empty(svg, "no requests yet");
    } else {
      const x0 = timeline.start, x1 = timeline.start + n * timeline.bucket;
      axes(svg, maxY, x0, x1);
      const plotW = W - PAD.l - PAD.r, plotH = H - PAD.t - PAD.b;
      const step = plotW / Math.max(n, 1);
      const width = Math.max(step * 0.85, 0.5);
      const base = new Array(n).fill(0);
      // Allowed traffic at the bottom, the harshest actions on top.
      const order = Object.keys(ACTION_COLORS).filter((a) => names.includes(a));
      for (const name of names) if (!order.includes(name)) order.push(name);
      for (const name of order) {
        const group = el("svg:g", { "data-action": name, fill: ACTION_COLORS[name] || "#888" });
        timeline.actions[name].forEach((value, i) => {
          if (!value) return;
          const h = (value / maxY) * plotH;
          const y = H - PAD.b - (base[i] / maxY) * plotH - h;
          base[i] += value;
          group.appendChild(el("svg:rect", {
            x: PAD.l + i * step + (step - width) / 2, y: y, width: width, height: Math.max(h, 0.5),
            "data-count": value,
          }));
        });
        svg.appendChild(group);
      }
    }
    box.replaceChildren(svg);
    legend("legend-actions", names.map((a) => ({ name: a + " " + sum(timeline.actions[a]), color: ACTION_COLORS[a] || "#888" })));
  }

  function drawLines(boxId, legendId, name, lines, now) {
    const svg = frame(name);
    if (!lines.length) {
      empty(svg, "no data yet");
    } else {
      let x0 = Infinity, x1 = -Infinity, maxY = 1;
      for (const line of lines) for (const [t, v] of line.points) {
        x0 = Math.min(x0, t); x1 = Math.max(x1, t); maxY = Math.max(maxY, v);
      }
      x1 = Math.max(x1, now);
      x0 = Math.min(x0, x1 - 60);  // at least a minute wide, ending now
      maxY = niceMax(maxY);
      axes(svg, maxY, x0, x1);
      const sx = (t) => PAD.l + ((t - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
      const sy = (v) => H - PAD.b - (v / maxY) * (H - PAD.t - PAD.b);
      for (const line of lines) {
        const d = line.points.map(([t, v], i) => (i ? "L" : "M") + sx(t).toFixed(1) + " " + sy(v).toFixed(1)).join(" ");
        svg.appendChild(el("svg:path", { d: d, class: "series", stroke: line.color, "data-points": line.points.length }));
        const [t, v] = line.points[line.points.length - 1];
        svg.appendChild(el("svg:circle", { cx: sx(t), cy: sy(v), r: 3.5, fill: line.color }));
      }
    }
    $(boxId).replaceChildren(svg);
    legend(legendId, lines.map((l) => ({ name: l.name + " " + l.points[l.points.length - 1][1], color: l.color })));
  }

  function legend(id, items) {
    const box = $(id);
    box.replaceChildren(...items.map((item) => {
      const span = el("span", {}, item.name);
      span.style.setProperty("--swatch", item.color);
      return span;
    }));
  }

  function renderKeys(keys) {
    const body = $("keys").tBodies[0];
    body.replaceChildren(...keys.map((k) => {
      const row = el("tr", { "data-key": k.key_id });
      row.appendChild(cell(el("code", { title: k.key_id }, short(k.key_id))));
      const bar = el("span", { class: "bar" + (k.score >= 0.5 ? " hot" : "") });
      const fill = el("i");
      fill.style.width = Math.round(k.score * 100) + "%";
      bar.appendChild(fill);
      const score = el("span", { class: "score" });
      score.append(bar, document.createTextNode(k.score.toFixed(2)));
      row.appendChild(cell(score));
      row.appendChild(el("td", { class: "n" }, k.coverage.toLocaleString()));
      row.appendChild(el("td", { class: "n" }, k.requests.toLocaleString()));
      row.appendChild(el("td", { class: "n" }, k.first_flagged == null ? "-" : k.first_flagged));
      row.appendChild(cell(...tags(Object.entries(k.actions).map(([a, c]) => a + " " + c))));
      row.appendChild(cell(...tags(k.reasons)));
      row.appendChild(el("td", {}, k.campaign || "-"));
      row.appendChild(el("td", {}, k.tier || "-"));
      row.addEventListener("click", () => { selected = k.key_id; renderDetail(k.key_id); });
      return row;
    }));
    $("keys-empty").hidden = keys.length > 0;
  }

  function renderCampaigns(campaigns) {
    const body = $("campaigns").tBodies[0];
    body.replaceChildren(...campaigns.map((c) => {
      const row = el("tr");
      row.append(el("td", {}, c.id), el("td", { class: "n" }, c.keys),
        el("td", { class: "n" }, c.coverage.toLocaleString()),
        el("td", { class: "n" }, c.requests.toLocaleString()));
      return row;
    }));
    $("campaigns-empty").hidden = campaigns.length > 0;
  }

  async function renderDetail(keyId) {
    const detail = await api("keys/" + encodeURIComponent(keyId));
    $("detail").hidden = false;
    $("detail-id").textContent = keyId;
    $("detail-signals").replaceChildren(...detail.signals.filter((s) => s.value > 0).map((s) => {
      const box = el("div");
      box.append(el("strong", {}, s.name + " " + s.value.toFixed(2)), el("br"), el("span", { class: "muted" }, s.reason));
      return box;
    }));
    $("detail-recent").tBodies[0].replaceChildren(...detail.recent.map((r) => {
      const row = el("tr");
      row.append(el("td", {}, clock(r.ts)), el("td", {}, r.action), el("td", {}, r.enforced),
        el("td", {}, r.rule || "-"), el("td", {}, r.score.toFixed(2)),
        el("td", { class: "n" }, r.coverage), cell(...tags(r.reasons)));
      return row;
    }));
  }

  // Helpers -----------------------------------------------------------------------------------

  function cell(...children) { const td = el("td"); td.append(...children); return td; }
  function tags(names) { return names.map((name) => el("span", { class: "tag" }, name)); }
  function sum(values) { return values.reduce((a, b) => a + b, 0); }
  function short(keyId) { return keyId.length > 14 ? keyId.slice(0, 12) + "…" : keyId; }
  function clock(ts) { return new Date(ts * 1000).toLocaleTimeString([], { hour12: false }); }
  function compact(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (n >= 1e4) return Math.round(n / 1e3) + "k";
    if (n < 100 && n % 1) return n.toFixed(1);
    return String(Math.round(n));
  }
  function niceMax(n) {
    if (n <= 1) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(n)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
    return 10 * p;
  }

  // Start ---------------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    takeTokenFromHash();
    $("login").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $("token").value);
      $("token").value = "";
      refresh();
    });
    $("logout").addEventListener("click", () => showLogin(""));
    if (sessionStorage.getItem(TOKEN_KEY)) refresh();
    else showLogin("");
  });
})();
