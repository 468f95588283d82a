// The agent desktop's page. Every string from the data reaches the DOM as
// text (textContent, createElement), never as markup, so that a customer
// called "<script>" stays a name; the server's Content-Security-Policy backs
// this up. The journey picture is an <img>: an SVG shown that way runs
// nothing.
"use strict";

const ALERT_POLL_MS = 2000;
const OUTCOMES = ["accepted", "rejected", "ignored", "converted"];

// The customer on screen: how the API names them ({id} or {ns, value}) and
// their resolved id, for feedback.
let current = null;

function $(id) { return document.getElementById(id); }

// An element with text, and optionally a class.
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

// GETs or POSTs the API; resolves to the parsed JSON (null for 204),
// rejects with the server's error message.
async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
  return data;
}

// "C0000001" names a customer id, "phone:+1 415..." an identifier.
function parseQuery(text) {
  const match = /^([a-z][a-z0-9_]*):(.+)$/.exec(text.trim());
  return match ? {ns: match[1], value: match[2]} : {id: text.trim()};
}

function who(customer) {
  return new URLSearchParams(customer).toString();
}

function lower(name) {
  return name ? String(name).toLowerCase().replace(/_/g, " ") : "";
}

function signed(x) {
  return (x >= 0 ? "+" : "") + Number(x).toFixed(2);
}

function when(timestamp) {
  return timestamp ? timestamp.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC") : "";
}

// --- the context card -------------------------------------------------------

function addFact(list, label, value) {
  if (value === undefined || value === null || value === "") return;
  const row = el("div", null, "fact");
  row.append(el("dt", label));
  const dd = el("dd");
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  row.append(dd);
  list.append(row);
}

function byChannel(counts) {
  if (!counts || !counts.total) return "none";
  // Sorted: a JSON object's keys come in no promised order.
  const parts = Object.entries(counts.by_channel || {}).sort()
      .filter(([, n]) => n > 0)
      .map(([channel, n]) => lower(channel) + " " + n);
  return counts.total + (parts.length ? " (" + parts.join(", ") + ")" : "");
}

function lastContact(last) {
  if (!last || !last.time) return "";
  const parts = [when(last.time), lower(last.channel)];
  if (last.topic) parts.push(last.topic);
  if (last.outcome) parts.push(lower(last.outcome));
  if (last.agent_id) parts.push("agent " + last.agent_id);
  if (last.transfers) parts.push(last.transfers + " transfer(s)");
  if (last.sentiment !== undefined) parts.push("sentiment " + signed(last.sentiment));
  if (last.repeat) parts.push("a repeat contact");
  return parts.join(", ");
}

function textList(items, className) {
  const list = el("ul", null, className);
  for (const item of items) list.append(el("li", item));
  return list;
}

function sentiment(c) {
  if (c.sentiment_last === undefined) return "";
  const trend = c.sentiment_trend || 0;
  const arrow = trend > 0.05 ? "rising" : trend < -0.05 ? "falling" : "steady";
  return "last " + signed(c.sentiment_last) + ", average " +
      signed(c.sentiment_average || 0) + ", " + arrow + " (" + signed(trend) + ")";
}

function churn(c) {
  const box = el("div");
  const risk = c.churn_risk || 0;
  box.append(el("span", Math.round(risk * 100) + "%",
                risk >= 0.5 ? "risk high" : "risk"));
  const factors = (c.churn_factors || [])
      .map(f => lower(f.name) + " " + Math.round((f.contribution || 0) * 100) + "%");
  if (factors.length) box.append(textList(factors, "factors"));
  return box;
}

// The count, then each strike of the window with what made it one.
function strikes(c) {
  const count = c.strikes || 0;
  const box = el("div", count + (c.at_risk ? ", about to leave" : "") +
      (count ? "; each ringed in red in the journey" : ""));
  const items = (c.strike_events || []).map(s => {
    const where = [when(s.time), lower(s.channel)];
    if (s.topic) where.push(s.topic);
    return where.join(", ") + ": " + (s.reasons || []).join("; ") +
        " (event " + s.event_id + ")";
  });
  if (items.length) box.append(textList(items, "strikes"));
  return box;
}

function renderCard(data) {
  const c = data.context;
  const attributes = c.attributes || {};
  $("customer-id").textContent = c.customer_id;
  const facts = $("facts");
  facts.replaceChildren();
  addFact(facts, "Name", attributes.name);
  const ids = ((data.profile && data.profile.identifiers) || [])
      .map(p => p.identifier.namespace + ": " + p.identifier.value +
                (p.shared ? " (shared)" : ""));
  if (ids.length) addFact(facts, "Identifiers", textList(ids));
  addFact(facts, "Contacts, 30 days", byChannel(c.contacts_30d));
  addFact(facts, "Contacts, 90 days", byChannel(c.contacts_90d));
  addFact(facts, "Last contact", lastContact(c.last_contact));
  addFact(facts, "Open issues", (c.open_issues || []).length
      ? textList(c.open_issues) : "none");
  addFact(facts, "Strikes", strikes(c));
  addFact(facts, "Sentiment", sentiment(c));
  addFact(facts, "Journey stage", lower(c.stage));
  addFact(facts, "CSAT", c.csat);
  addFact(facts, "NPS", c.nps === undefined ? "" : c.nps + " (" + lower(c.nps_category) + ")");
  addFact(facts, "Lifetime value", c.lifetime_value ? c.lifetime_value.toFixed(2) : "");
  addFact(facts, "Churn risk", churn(c));
  const other = Object.entries(attributes).filter(([key]) => key !== "name")
      .map(([key, value]) => key + ": " + value);
  if (other.length) addFact(facts, "Attributes", textList(other));
}

// --- next-best actions ----------------------------------------------------

async function sendFeedback(decision, action, outcome, note) {
  try {
    await api("/api/feedback", {
      customer_id: decision.customer_id,
      decision_id: decision.decision_id,
      action_id: action.action,
      outcome: outcome,
      channel: $("channel").value,
    });
    note.textContent = "recorded: " + outcome;
    note.className = "note";
  } catch (error) {
    note.textContent = error.message;
    note.className = "note error";
  }
}

function renderAction(decision, action) {
  const item = el("li", null, "action");
  const title = el("h3", action.title || action.action);
  const tags = ["tier " + (action.tier || 0)];
  if (action.group) tags.push(action.group);
  if (action.service) tags.push("service");
  title.append(el("span", " " + tags.join(", "), "muted"));
  item.append(title);
  if (action.script) item.append(el("blockquote", action.script, "script"));
  if ((action.reasons || []).length) {
    item.append(el("p", "Why", "label"));
    item.append(textList(action.reasons, "reasons"));
  }
  const s = action.score || {};
  item.append(el("p", "from " + action.playbook + "/" + action.rule +
      "; score " + [s.propensity, s.context_weight, s.value, s.lever]
          .map(x => Number(x || 0).toPrecision(3)).join(" x ") +
      " (propensity x weight x value x lever)", "muted"));
  const buttons = el("div", null, "feedback");
  const note = el("span", "", "note");
  for (const outcome of OUTCOMES) {
    const button = el("button", outcome);
    button.type = "button";
    button.dataset.outcome = outcome;
    button.addEventListener("click",
        () => sendFeedback(decision, action, outcome, note));
    buttons.append(button);
  }
  buttons.append(note);
  item.append(buttons);
  return item;
}

function renderDecision(decision) {
  $("decision-id").textContent = "decision " + decision.decision_id +
      (decision.ruleset_version ? ", ruleset " + decision.ruleset_version : "");
  const list = $("action-list");
  list.replaceChildren();
  for (const action of decision.actions || []) {
    list.append(renderAction(decision, action));
  }
  if (!list.children.length) list.append(el("li", "No action to take.", "muted"));
  const playbooks = decision.playbooks || [];
  $("playbooks").textContent = "Playbooks matched: " +
      (playbooks.length ? playbooks.join(", ") : "none");
  const rows = $("dropped").tBodies[0];
  rows.replaceChildren();
  for (const d of decision.dropped || []) {
    const row = el("tr");
    for (const text of [d.action, d.playbook + "/" + d.rule, d.stage, d.detail]) {
      row.append(el("td", text));
    }
    rows.append(row);
  }
}

async function decide() {
  if (!current) return;
  const situation = new URLSearchParams(current.query);
  situation.set("channel", $("channel").value);
  if ($("topic").value) situation.set("topic", $("topic").value);
  try {
    renderDecision(await api("/api/decide?" + situation));
  } catch (error) {
    $("action-list").replaceChildren(el("li", error.message, "error"));
  }
}

// --- a customer -------------------------------------------------------------

async function show(query) {
  setStatus("Looking up " + (query.id || query.ns + ":" + query.value) + "...");
  let data;
  try {
    data = await api("/api/customer?" + who(query));
  } catch (error) {
    $("customer").hidden = true;
    setStatus(error.message, true);
    return;
  }
  const id = data.context.customer_id;
  current = {query: {id: id}};
  setStatus("");
  renderCard(data);
  // An <img> shows no tooltips: the link opens the picture alone, where
  // each event's details are (the server's policy applies there too).
  const journey = "/api/journey.svg?" + who({id: id});
  $("journey-picture").src = journey;
  $("journey-link").href = journey;
  $("customer").hidden = false;
  await decide();
}

// --- alerts -----------------------------------------------------------------

let alertsAfter = 0;

function renderAlert(alert) {
  const item = el("li", null, "alert");
  const action = alert.action || {};
  item.append(el("strong", action.title || action.action || alert.rule));
  item.append(el("span", " for " + alert.customer_id + ", " + when(alert.raised_at), "muted"));
  for (const reason of action.reasons || []) item.append(el("p", reason));
  const open = el("button", "Open customer");
  open.type = "button";
  open.addEventListener("click", () => {
    $("query").value = alert.customer_id;
    show({id: alert.customer_id});
  });
  item.append(open);
  return item;
}

async function pollAlerts() {
  try {
    const feed = await api("/api/alerts?after=" + alertsAfter);
    alertsAfter = feed.next;
    for (const alert of feed.alerts) {
      $("alert-list").prepend(renderAlert(alert));
      $("alerts-note").hidden = true;
    }
  } catch (error) {
    // The server may be restarting: try again at the next tick.
  }
  setTimeout(pollAlerts, ALERT_POLL_MS);
}

// --- start ------------------------------------------------------------------

function start() {
  $("search").addEventListener("submit", event => {
    event.preventDefault();
    const query = parseQuery($("query").value);
    history.replaceState(null, "", "?" + who(query));
    show(query);
  });
  $("situation").addEventListener("submit", event => {
    event.preventDefault();
    decide();
  });
  // A customer named in the address (?id=..., or ?ns=...&value=...), with
  // the contact's channel and topic: how a telephony system opens the page.
  const params = new URLSearchParams(location.search);
  if (params.get("channel")) $("channel").value = params.get("channel");
  if (params.get("topic")) $("topic").value = params.get("topic");
  const query = params.get("id") ? {id: params.get("id")}
      : params.get("ns") ? {ns: params.get("ns"), value: params.get("value") || ""}
      : null;
  if (query) {
    $("query").value = query.id || query.ns + ":" + query.value;
    show(query);
  }
  pollAlerts();
}

start();
