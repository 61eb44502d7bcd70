// qapps-nb upload widget, part 4 of 4: the view (anywidget's render).
// Id fields checked as typed (the kernel checks again), a scope choice, a file picker,
// Upload and Cancel, and the results table. Styling comes from widget.css, which uses
// JupyterLab's theme variables so the widget follows light and dark themes.

function render({ model, el }) {
  const root = h("div", "qapps-upload");
  el.appendChild(root);
  const cleanups = [];
  const listen = (event, fn) => { model.on(event, fn); cleanups.push(() => model.off(event, fn)); };

  // ---- id fields ------------------------------------------------------------------
  const form = h("div", "qapps-form");
  root.appendChild(form);
  const inputs = {};
  const stale = new Set();  // fields typed into since the kernel last sent field_errors
  const errorNodes = {};
  const fieldRows = {};
  const addRow = (labelText, control, key) => {
    const row = h("div", "qapps-field");
    const label = h("label", "qapps-label", labelText);
    const body = h("div", "qapps-field-body");
    body.appendChild(control);
    const err = h("div", "qapps-field-error");
    err.setAttribute("role", "alert");
    body.appendChild(err);
    row.append(label, body);
    form.appendChild(row);
    if (key) { fieldRows[key] = row; errorNodes[key] = err; }
    return { row, label };
  };
  for (const [key, labelText, placeholder] of FIELDS) {
    const input = h("input", "qapps-input");
    input.type = "text";
    input.spellcheck = false;
    input.autocomplete = "off";
    input.placeholder = placeholder;
    input.dataset.field = key;
    input.value = model.get(key) || "";
    input.addEventListener("input", () => {
      stale.add(key);
      model.set(key, input.value);
      model.save_changes();
      refreshFields();
    });
    inputs[key] = input;
    const { label } = addRow(labelText, input, key);
    input.id = `qapps-${key}-${newId()}`;
    label.htmlFor = input.id;
    if (key === "card_id") {
      // the scope choice sits between the card and the session id
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
      inputs.scope = scopeButtons;
      addRow("Scope", toggle, "scope");
    }
  }

  // ---- files and actions ----------------------------------------------------------
  const fileInput = h("input");
  fileInput.type = "file";
  fileInput.multiple = true;
  fileInput.hidden = true;
  const pick = h("button", "qapps-button", "Select files…");
  pick.type = "button";
  pick.classList.add("qapps-pick");
  const picked = h("span", "qapps-picked", "No files selected");
  const pickBox = h("div", "qapps-inline");
  pickBox.append(pick, picked, fileInput);
  addRow("Files", pickBox);

  const uploadButton = h("button", "qapps-button qapps-primary", "Upload");
  uploadButton.type = "button";
  uploadButton.classList.add("qapps-upload-button");
  const cancelButton = h("button", "qapps-button", "Cancel");
  cancelButton.type = "button";
  cancelButton.classList.add("qapps-cancel-button");
  const status = h("span", "qapps-status");
  status.setAttribute("aria-live", "polite");
  const actions = h("div", "qapps-inline");
  actions.append(uploadButton, cancelButton, status);
  addRow("", actions);

  const table = createTable((id) => cancelOne(id));
  root.appendChild(table.box);

  // ---- local state ----------------------------------------------------------------
  let selection = [];  // picked, not yet sent: {id, file, problem}

  const maxSize = () => model.get("max_file_size");
  const scope = () => model.get("scope");

  function currentErrors() {
    const kernel = model.get("field_errors") || {};
    const out = {};
    for (const [key] of FIELDS) {
      const value = inputs[key].value;
      // the kernel's verdict counts once it has judged the value now in the field
      out[key] = fieldError(key, value, scope()) ||
        (!stale.has(key) && value === (model.get(key) || "") && kernel[key]) || "";
      if (key === "session_id" && scope() !== "SESSION") out[key] = "";
    }
    return out;
  }

  function refreshFields() {
    const errors = currentErrors();
    for (const [key] of FIELDS) {
      errorNodes[key].textContent = errors[key];
      inputs[key].classList.toggle("qapps-invalid", Boolean(errors[key]));
      inputs[key].setAttribute("aria-invalid", errors[key] ? "true" : "false");
    }
    for (const [value, b] of Object.entries(inputs.scope)) {
      const on = scope() === value;
      b.classList.toggle("qapps-active", on);
      b.setAttribute("aria-checked", on ? "true" : "false");
    }
    fieldRows.session_id.hidden = scope() !== "SESSION";
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
    const bytes = selection.reduce((n, s) => n + s.file.size, 0);
    picked.textContent = selection.length === 0 ? "No files selected"
      : `${selection.length} file${selection.length > 1 ? "s" : ""} selected (${formatSize(bytes)})`;
    const done = rows.filter((r) => r.status === "done").length;
    const failed = rows.filter((r) => r.status === "failed").length;
    const cancelled = rows.filter((r) => r.status === "cancelled").length;
    const running = rows.filter((r) => ACTIVE.has(r.status)).length;
    const parts = [];
    if (running) parts.push(`${running} in progress`);
    if (done) parts.push(`${done} uploaded`);
    if (failed) parts.push(`${failed} failed`);
    if (cancelled) parts.push(`${cancelled} cancelled`);
    status.textContent = parts.join(" · ");
  }

  let scheduled = false;
  function paint() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const rows = [...(model.get("rows") || [])];
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
    // too-large files are refused here and again by the kernel on "begin": no byte moves
    sender.begin(selection);
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
    selection = chosen.map((file) => ({ id: newId(), file, problem: fileProblem(file, maxSize()) }));
    paint();
  });
  uploadButton.addEventListener("click", startUpload);
  cancelButton.addEventListener("click", () => sender.cancelAll());

  listen("msg:custom", sender.onMessage);
  listen("change:rows", paint);
  listen("change:field_errors", () => { stale.clear(); refreshFields(); });
  listen("change:scope", refreshFields);
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
  const timer = setInterval(() => table.tick(model.get("rows") || []), 30000);

  refreshFields();
  paint();
  return () => {
    clearInterval(timer);
    sender.dispose();
    for (const off of cleanups) off();
  };
}

export default { render };
