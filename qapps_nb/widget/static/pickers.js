// qapps-nb upload widget, part 4 of 5: the App and Card pickers.
// The kernel lists the instance's apps in the background (catalog.py) and syncs those with
// a file-upload card in `apps`, with `apps_status` (off, loading, ready, failed) and one
// line in `apps_message`. While apps are listed, the App and Card fields are drop-downs of
// titles; the typed id inputs stay as the fallback: when listing fails or finds nothing,
// for an id that is not listed, or when the user clicks "type an id". Either way the
// model's app_id and card_id are what gets uploaded to.

function createPickers(model, inputs, changed) {
  let manual = false;  // the user chose to type ids
  const appSelect = h("select", "qapps-select");
  appSelect.dataset.picker = "app";
  appSelect.setAttribute("aria-label", "App");
  const cardSelect = h("select", "qapps-select");
  cardSelect.dataset.picker = "card";
  cardSelect.setAttribute("aria-label", "Card");
  const reload = h("button", "qapps-button qapps-icon", "↻");
  reload.type = "button";
  reload.title = "list the apps again";
  reload.dataset.action = "reload-apps";
  const toggle = h("button", "qapps-link");
  toggle.type = "button";
  toggle.dataset.action = "toggle-ids";
  const status = h("div", "qapps-apps-status");
  status.setAttribute("aria-live", "polite");
  const spinner = h("span", "qapps-spinner");
  spinner.setAttribute("aria-hidden", "true");
  const statusText = h("span", "qapps-apps-text");
  status.append(spinner, statusText);
  const appIdLine = h("code", "qapps-id qapps-picked-id");
  appIdLine.title = "app id: one click selects it whole";
  const cardIdLine = h("code", "qapps-id qapps-picked-id");
  cardIdLine.title = "card id: one click selects it whole";
  let appSignature = "";
  let cardSignature = "";

  const apps = () => model.get("apps") || [];
  const state = () => model.get("apps_status") || "off";
  const listing = () => state() === "loading" || (state() === "ready" && apps().length > 0);
  const picking = () => listing() && !manual;
  const appEntry = (id) => apps().find((a) => a.app_id === id);
  // no app yet: the card drop-down waits for one; an app that is not listed: type the card
  const cardPicking = () => picking()
    && (!model.get("app_id") || Boolean(appEntry(model.get("app_id"))));

  function option(value, text, disabled) {
    const o = h("option", "", text);
    o.value = value;
    if (disabled) o.disabled = true;
    return o;
  }

  function fillApps() {
    const list = apps();
    const current = model.get("app_id") || "";
    const loading = state() === "loading";
    const signature = JSON.stringify([list.map((a) => [a.app_id, a.title]), current, loading]);
    if (signature === appSignature) return;
    appSignature = signature;
    const titles = new Map();
    for (const a of list) titles.set(a.title, (titles.get(a.title) || 0) + 1);
    const options = [option("", loading && list.length === 0 ? "loading apps…" : "choose an app…")];
    for (const a of list) {
      const twin = titles.get(a.title) > 1 ? ` (${a.app_id.slice(0, 8)}…)` : "";
      options.push(option(a.app_id, `${a.title}${twin}`));
    }
    if (current && !appEntry(current)) {
      options.push(option(current, `${current} (${loading ? "not listed yet" : "not listed"})`));
    }
    if (loading && list.length) options.push(option("…", "more apps loading…", true));
    appSelect.replaceChildren(...options);
    appSelect.value = current;
  }

  function fillCards() {
    const app = appEntry(model.get("app_id"));
    const current = model.get("card_id") || "";
    const cards = app ? app.cards : [];
    const signature = JSON.stringify([app && app.app_id, cards, current]);
    if (signature === cardSignature) return;
    cardSignature = signature;
    const options = [option("", app ? "choose a card…" : "choose an app first")];
    for (const c of cards) {
      const extra = c.default_file ? ` (default file: ${c.default_file})` : "";
      options.push(option(c.card_id, `${c.title}${extra}`));
    }
    if (current && !cards.some((c) => c.card_id === current)) {
      options.push(option(current, `${current} (not a file card of this app)`));
    }
    cardSelect.replaceChildren(...options);
    cardSelect.value = current;
    cardSelect.disabled = !app;
  }

  function render() {
    const pick = picking();
    const cardPick = cardPicking();
    fillApps();
    fillCards();
    appSelect.hidden = !pick;
    inputs.app_id.hidden = pick;
    cardSelect.hidden = !cardPick;
    inputs.card_id.hidden = cardPick;
    const appId = model.get("app_id") || "";
    const cardId = model.get("card_id") || "";
    appIdLine.textContent = pick && appEntry(appId) ? appId : "";
    appIdLine.hidden = !appIdLine.textContent;
    cardIdLine.textContent = cardPick && cardId ? cardId : "";
    cardIdLine.hidden = !cardIdLine.textContent;
    const s = state();
    status.dataset.state = s;
    statusText.textContent = model.get("apps_message") || (s === "loading" ? "listing apps…" : "");
    spinner.hidden = s !== "loading";
    status.hidden = s === "off" || !statusText.textContent;
    status.setAttribute("aria-busy", s === "loading" ? "true" : "false");
    reload.hidden = s === "off" || s === "loading";
    toggle.hidden = !listing();
    toggle.textContent = manual ? "pick from the list" : "type an id";
  }

  appSelect.addEventListener("change", () => {
    const id = appSelect.value;
    const keys = ["app_id"];
    model.set("app_id", id);
    const app = appEntry(id);
    if (app) {
      if (app.cards.length === 1) {
        model.set("card_id", app.cards[0].card_id);
        keys.push("card_id");
      } else if (!app.cards.some((c) => c.card_id === model.get("card_id"))) {
        model.set("card_id", "");
        keys.push("card_id");
      }
    }
    model.save_changes();
    changed(keys);
  });
  cardSelect.addEventListener("change", () => {
    model.set("card_id", cardSelect.value);
    model.save_changes();
    changed(["card_id"]);
  });
  reload.addEventListener("click", () => model.send({ type: "apps-refresh" }));
  toggle.addEventListener("click", () => {
    manual = !manual;
    changed([]);
    (manual ? inputs.app_id : appSelect).focus();
  });

  return {
    appControls: [appSelect, reload, toggle],
    cardControls: [cardSelect],
    appIdLine,
    cardIdLine,
    status,
    render,
    picking,
    cardPicking,
    appEntry,
  };
}
