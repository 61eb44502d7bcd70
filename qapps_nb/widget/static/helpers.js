// qapps-nb upload widget, part 1 of 5: constants, formatting and the validation rules.
// anywidget loads one ES module; upload_widget.py joins helpers.js, table.js, sender.js,
// pickers.js and widget.js (in that order) into it. Plain JS, no build step.

const UUID = /^[\da-f]{8}-[\da-f]{4}-[45][\da-f]{3}-[89ABab][\da-f]{3}-[\da-f]{12}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME = 100;
export const WARN_SIZE = 10 * 1000 * 1000;  // validation.WARN_UPLOAD_BYTES (a test keeps them equal)
const ACTIVE = new Set(["waiting", "receiving", "uploading"]);
const EXAMPLE = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

const FIELDS = [  // [key, label (widget.js), placeholder]
  ["instance_id", "Instance ID", "Amazon Q Business application id"],
  ["app_id", "App", "Q App id (a UUID)"],
  ["card_id", "Card", "file-upload card id (a UUID)"],
  ["session_id", "Session ID", "Q App session id (a UUID)"],
];
const EMPTY = {  // fields.EMPTY: the same words from the kernel
  instance_id: "required: the Amazon Q Business application id",
  app_id: "required: choose an app, or type its id",
  card_id: "required: choose a file-upload card, or type its id",
  session_id: "required: the Q App session id (a UUID)",
};
const SANDBOX_TITLE = "Stored in the local qapps-nb sandbox, not in AWS";  // render.SANDBOX_TITLE

// result.format_size: decimal units (kB, MB, GB) everywhere; `exact` drops a ".0" for limits
export function formatSize(size, exact = false) {
  let value = size;
  for (const unit of ["B", "kB", "MB", "GB"]) {
    if (value < 1000 || unit === "GB") {
      if (unit === "B") return `${Math.floor(value)} B`;
      let text = value.toFixed(1);
      if (exact && text.endsWith(".0")) text = text.slice(0, -2);
      return `${text} ${unit}`;
    }
    value /= 1000;
  }
  return `${size} B`;
}

// validation.shown_over: a size above `limit`, in bytes when rounding would read as the limit
export function shownOver(size, limit) {
  const shown = formatSize(size);
  if (shown === formatSize(limit) || shown === formatSize(limit, true)) {
    return `${size.toLocaleString("en-US")} bytes`;
  }
  return shown;
}

// The same rules as qapps_nb/validation.py (the kernel checks again on "begin").
export function fieldError(name, value, scope) {
  if (name === "session_id" && scope !== "SESSION") return "";
  if (!value) return EMPTY[name];
  if (name === "instance_id") {
    if (CONTROL.test(value) || value !== value.trim()) return "has spaces or control characters";
    return "";
  }
  return UUID.test(value) ? "" : `expected a UUID like ${EXAMPLE}`;
}

export function fileProblem(file, maxSize) {
  const length = [...file.name].length;
  if (length > MAX_NAME) return `name is ${length} characters; Q Apps takes at most ${MAX_NAME}`;
  if (CONTROL.test(file.name)) return "name contains control characters";
  if (/[\\/]/.test(file.name)) return "name contains a path separator; Q Apps takes a bare name";
  if (file.name === "." || file.name === "..") return "not a file name";
  if (file.size <= 0) return "file is empty: there is nothing to upload";
  if (file.size > maxSize) {
    return `file is ${shownOver(file.size, maxSize)}; the limit is ${formatSize(maxSize, true)} `
      + "(max_file_size)";
  }
  return "";
}

function h(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

let counter = 0;
function newId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  counter += 1;
  return `t${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 10)}`;
}

// The one SANDBOX badge (render.sandbox_badge's look: same class, colours and words).
function sandboxBadge() {
  const badge = h("span", "qapps-nb-badge", "SANDBOX");
  badge.title = SANDBOX_TITLE;
  return badge;
}

// Copy text to the clipboard; where the Clipboard API is refused, copy the node's selection.
async function copyText(text, node) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand("copy");
  }
}
