// qapps-nb upload widget, part 5 of 5: the view (anywidget's render).
// The instance id, App and Card pickers (typed ids as the fallback), a scope choice,
// "make it the card's default file", a file picker, Upload and Cancel, the results table
// and what on_upload callbacks printed. Styling comes from widget.css, which uses
// JupyterLab's theme variables so the widget follows light and dark themes.

function render({ model, el }) {
  const root = h("div", "qapps-upload");
  el.appendChild(root);
  const cleanups = [];
  const listen = (event, fn) => { model.on(event, fn); cleanups.push(() => model.off(event, fn)); };

  // ---- fields -----------------------------------------------------------------------
  const form = h("div", "qapps-form");
  root.appendChild(form);
  const inputs = {};
  const stale = new Set();  // fields changed here since the kernel last sent field_errors
  const errorNodes = {};
  const fieldRows = {};
  const addRow = (labelText, controls, key, below = []) => {
    const row = h("div", "qapps-field");
    const label = h("label", "qapps-label", labelText);
    const body = h("div", "qapps-field-body");
    const line = h("div", "qapps-inline");
    line.append(...controls);
    body.append(line, ...below);
    const err = h("div", "qapps-field-error");
    err.setAttribute("role", "alert");
    body.appendChild(err);
    row.append(label, body);
    form.appendChild(row);
    if (key) { fieldRows[key] = row; errorNodes[key] = err; }
    return { row, label };
  };
  const touched = (keys) => { for (const k of keys) stale.add(k); refreshFields(); };
  for (const [key, , placeholder] of FIELDS) {
    const input = h("input", "qapps-input");
    input.type = "text";
    input.spellcheck = false;
    input.autocomplete = "off";
    input.placeholder = placeholder;
    input.dataset.field = key;
    input.value = model.get(key) || "";
    input.addEventListener("input", () => {
      model.set(key, input.value);
      model.save_changes();
      touched([key]);
    });
    inputs[key] = input;
  }
  const pickers = createPickers(model, inputs, touched);
  const labels = Object.fromEntries(FIELDS.map(([key, text]) => [key, text]));
  const labelled = (key, controls, below) => {
    const { label } = addRow(labels[key], controls, key, below);
    inputs[key].id = `qapps-${key}-${newId()}`;
    label.htmlFor = inputs[key].id;
  };
  labelled("instance_id", [inputs.instance_id]);
  labelled("app_id", [inputs.app_id, ...pickers.appControls], [pickers.appIdLine, pickers.status]);
  labelled("card_id", [inputs.card_id, ...pickers.cardControls], [pickers.cardIdLine]);

  const toggle = h("div", "qapps-toggle");
  toggle.setAttribute("role", "radiogroup");
  const scopeButtons = {};
  for (const [value, text] of [["APPLICATION", "Application"], ["SESSION", "Session"]]) {
    const b = h("button", "qapps-button qapps-toggle-button", text);
    b.type = "button";
    b.dataset.scope = value;
    b.setAttribute("role", "radio");
    b.addEventListener("click", () => {
      model.set("scope", value);
      model.save_changes();
      refreshFields();
    });
    scopeButtons[value] = b;
    toggle.appendChild(b);
  }
  addRow("Scope", [toggle], "scope");
  labelled("session_id", [inputs.session_id]);

  const attach = h("input");
  attach.type = "checkbox";
  attach.dataset.field = "attach";
  attach.id = `qapps-attach-${newId()}`;
  const attachLabel = h("label", "qapps-check", "Make it the card's default file");
  attachLabel.htmlFor = attach.id;
  attachLabel.title = "after the upload, set the file as this card's default (UpdateQApp)";
  const attachNote = h("span", "qapps-muted");
  const attachBox = h("span", "qapps-check-box");
  attachBox.append(attach, attachLabel);
  const { row: attachRow } = addRow("", [attachBox, attachNote]);
  attachRow.classList.add("qapps-attach-row");
  attach.addEventListener("change", () => { model.set("attach", attach.checked); model.save_changes(); });

  // ---- files and actions ----------------------------------------------------------
  const fileInput = h("input");
  fileInput.type = "file";
  fileInput.multiple = true;
  fileInput.hidden = true;  // widget.css: [hidden] beats Notebook 6's input[type=file]{display:block}
  const pick = h("button", "qapps-button", "Select files…");
  pick.type = "button";
  pick.classList.add("qapps-pick");
  const picked = h("span", "qapps-picked", "No files selected");
  addRow("Files", [pick, picked, fileInput]);

  const uploadButton = h("button", "qapps-button qapps-primary", "Upload");
  uploadButton.type = "button";
  uploadButton.classList.add("qapps-upload-button");
  const cancelButton = h("button", "qapps-button", "Cancel");
  cancelButton.type = "button";
  cancelButton.classList.add("qapps-cancel-button");
  const status = h("span", "qapps-status");
  status.setAttribute("aria-live", "polite");
  const badge = sandboxBadge();
  addRow("", [uploadButton, cancelButton, status, badge]);

  const table = createTable((id) => cancelOne(id));
  root.appendChild(table.box);
  const output = createOutput(model);
  root.appendChild(output.box);

  // ---- local state ----------------------------------------------------------------
  let selection = [];  // picked, not yet sent: {id, file, problem}
  let notSent = [];    // refused when picked; shown until the next pick, never uploaded

  const maxSize = () => model.get("max_file_size");
  const scope = () => model.get("scope");


  function currentErrors() {
    const kernel = model.get("field_errors") || {};
    const out = {};
    for (const [key] of FIELDS) {
      const value = model.get(key) || "";
      // the kernel's verdict counts once it has judged the value now in the field
      const fresh = !stale.has(key) && kernel[key];
      out[key] = fresh || fieldError(key, value, scope());
      if (key === "session_id" && scope() !== "SESSION") out[key] = "";
    }
    return out;
  }

  function refreshFields() {
    pickers.render();
    const errors = currentErrors();
    // no app chosen yet: its error says what to do; the card's would only repeat it
    const cardWaits = pickers.picking() && !model.get("app_id");
    for (const [key] of FIELDS) {
      errorNodes[key].textContent = key === "card_id" && cardWaits ? "" : errors[key];
      inputs[key].classList.toggle("qapps-invalid", Boolean(errors[key]));
      inputs[key].setAttribute("aria-invalid", errors[key] ? "true" : "false");
    }
    for (const [value, b] of Object.entries(scopeButtons)) {
      const on = scope() === value;
      b.classList.toggle("qapps-active", on);
      b.setAttribute("aria-checked", on ? "true" : "false");
    }
    fieldRows.session_id.hidden = scope() !== "SESSION";
    attachRow.hidden = scope() !== "APPLICATION";
    const app = pickers.appEntry(model.get("app_id"));
    const owner = !app || app.can_edit !== false;
    attach.checked = Boolean(model.get("attach"));
    attach.disabled = !owner;
    attachNote.textContent = owner ? "" : "only the app's owner can set a default file";
    refreshButtons();
  }

  function refreshButtons() {
    const errors = currentErrors();
    const valid = Object.values(errors).every((e) => !e);
    const rows = model.get("rows") || [];
    const busy = rows.some((r) => ACTIVE.has(r.status)) || sender.busy();
    uploadButton.disabled = !valid || selection.every((s) => s.problem);
    uploadButton.title = valid ? "" : "fix the highlighted fields first";
    cancelButton.disabled = !busy;
    const good = selection.filter((s) => !s.problem);
    const bytes = good.reduce((n, s) => n + s.file.size, 0);
    const refused = selection.length - good.length;
    picked.textContent = selection.length === 0 ? "No files selected"
      : `${good.length} file${good.length === 1 ? "" : "s"} selected (${formatSize(bytes)})`
        + (refused ? `; ${refused} refused` : "");
    const count = (s) => rows.filter((r) => r.status === s).length;
    const running = rows.filter((r) => ACTIVE.has(r.status)).length;
    const parts = [];
    if (running) parts.push(`${running} in progress`);
    if (count("done")) parts.push(`${count("done")} uploaded`);
    if (count("failed")) parts.push(`${count("failed")} failed`);
    if (count("cancelled")) parts.push(`${count("cancelled")} cancelled`);
    status.textContent = parts.join(" · ");
    badge.hidden = !model.get("sandbox");
  }

  let scheduled = false;
  function paint() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const rows = [...(model.get("rows") || [])];
      for (const s of notSent) {
        rows.push({ id: s.id, file_name: s.file.name, size: s.file.size, status: "not-sent",
          problem: s.problem });
      }
      for (const s of selection) {
        rows.push({ id: s.id, file_name: s.file.name, size: s.file.size, status: "selected",
          problem: s.problem });
      }
      table.paint(rows, sender.acked);
      refreshButtons();
    });
  }
  const sender = createSender(model, paint);

  function startUpload() {
    const errors = currentErrors();
    const bad = Object.keys(errors).find((k) => errors[k]);
    if (bad) { inputs[bad].focus(); return; }
    // refused files stay listed as "not sent"; the kernel checks the others again on "begin"
    sender.begin(selection.filter((s) => !s.problem));
    notSent = selection.filter((s) => s.problem);
    selection = [];
    fileInput.value = "";
    paint();
  }

  function cancelOne(id) {
    const i = selection.findIndex((s) => s.id === id);
    if (i >= 0) { selection.splice(i, 1); paint(); return; }
    sender.cancelOne(id);
  }

  pick.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const chosen = [...fileInput.files];
    notSent = [];
    selection = chosen.map((file) => ({ id: newId(), file, problem: fileProblem(file, maxSize()) }));
    paint();
  });
  uploadButton.addEventListener("click", startUpload);
  cancelButton.addEventListener("click", () => sender.cancelAll());

  listen("msg:custom", sender.onMessage);
  listen("change:rows", paint);
  listen("change:field_errors", () => { stale.clear(); refreshFields(); });
  for (const key of ["scope", "apps", "apps_status", "apps_message", "attach"]) {
    listen(`change:${key}`, refreshFields);
  }
  listen("change:sandbox", refreshButtons);
  listen("change:max_file_size", () => {
    for (const s of selection) s.problem = fileProblem(s.file, maxSize());
    paint();
  });
  for (const [key] of FIELDS) {
    listen(`change:${key}`, () => {
      const value = model.get(key) || "";
      if (inputs[key].value !== value && document.activeElement !== inputs[key]) {
        inputs[key].value = value;
      }
      refreshFields();
    });
  }
  listen("change:log", output.paint);

  refreshFields();
  paint();
  output.paint();
  model.send({ type: "hello" });  // the kernel sends what its threads changed once more
  return () => {
    sender.dispose();
    for (const off of cleanups) off();
  };
}

// What on_upload callbacks printed (stdout, stderr) or raised, newest last.
function createOutput(model) {
  const box = h("div", "qapps-output");
  const head = h("div", "qapps-output-head");
  const title = h("span", "qapps-muted", "on_upload output");
  const clear = h("button", "qapps-link", "clear");
  clear.type = "button";
  clear.addEventListener("click", () => model.send({ type: "clear-log" }));
  head.append(title, clear);
  const lines = h("div", "qapps-output-lines");
  box.append(head, lines);
  function paint() {
    const entries = model.get("log") || [];
    box.hidden = entries.length === 0;
    lines.replaceChildren(...entries.map((e) => {
      const pre = h("pre", `qapps-output-entry qapps-output-${e.kind}`, e.text);
      pre.title = e.file ? `from the callback for ${e.file}` : "";
      return pre;
    }));
    lines.scrollTop = lines.scrollHeight;
  }
  return { box, paint };
}

export default { render };
