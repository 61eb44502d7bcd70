// qapps-nb upload widget, part 1 of 4: constants, formatting and the validation rules.
// anywidget loads one ES module; upload_widget.py joins helpers.js, table.js, sender.js and
// widget.js (in that order) into it. Plain JS, no build step.

const UUID = /^[\da-f]{8}-[\da-f]{4}-[45][\da-f]{3}-[89ABab][\da-f]{3}-[\da-f]{12}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME = 100;
const WARN_SIZE = 10 * 1024 * 1024;  // validation.WARN_UPLOAD_BYTES
const ACTIVE = new Set(["waiting", "receiving", "uploading"]);
const EXAMPLE = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

const FIELDS = [
  ["instance_id", "Instance ID", "Amazon Q Business instance id"],
  ["app_id", "App ID", "Q App id (a UUID)"],
  ["card_id", "Card ID", "file-upload card id (a UUID)"],
  ["session_id", "Session ID", "Q App session id (a UUID)"],
];

export function formatSize(size) {
  let value = size;
  for (const unit of ["B", "kB", "MB", "GB"]) {
    if (value < 1000 || unit === "GB") {
      return unit === "B" ? `${Math.floor(value)} B` : `${value.toFixed(1)} ${unit}`;
    }
    value /= 1000;
  }
  return `${size} B`;
}

export function expiresIn(iso, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(seconds)) return "";
  const abs = Math.abs(seconds);
  const minutes = Math.round(abs / 60);
  let span;
  if (abs < 60) span = `${Math.floor(abs)} s`;
  else if (minutes < 120) span = `${minutes} min`;
  else span = `${(minutes / 60).toFixed(1)} h`;
  return seconds >= 0 ? `in ${span}` : `expired ${span} ago`;
}

// The same rules as qapps_nb/validation.py (the kernel checks again on "begin").
export function fieldError(name, value, scope) {
  const label = { instance_id: "instance id", app_id: "app id", card_id: "card id",
    session_id: "session id" }[name];
  if (name === "session_id" && scope !== "SESSION") return "";
  if (!value) return name === "instance_id" ? "required: the Amazon Q Business instance id"
    : `required: the ${label} (a UUID)`;
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
    return `file is ${formatSize(file.size)}; the limit is ${formatSize(maxSize)} (max_file_size)`;
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
