// qapps-nb upload widget, part 2 of 5: the results table.
// One row per file, keyed by transfer id and updated in place (so a row's buttons survive
// progress updates). File names, ids and reasons are set with textContent, never as HTML.
// A stored file's row shows its fileId (one click selects it whole; Copy copies it) and,
// after "make it the card's default file", what became of that. No expiry is shown: what
// expires is the presigned upload URL, which no longer matters once the file is stored.

function createTable(onCancel) {
  const table = h("table", "qapps-table");
  const head = h("thead");
  const headRow = h("tr");
  for (const [text, cls] of [["File", "qapps-col-name"], ["Size", "qapps-col-size"],
    ["Status", "qapps-col-status"], ["File ID", "qapps-col-id"], ["", "qapps-col-x"]]) {
    headRow.appendChild(h("th", cls, text));
  }
  head.appendChild(headRow);
  const body = h("tbody");
  table.append(head, body);
  const box = h("div", "qapps-table-box");
  box.appendChild(table);
  const nodes = new Map();

  function bar(kind, title) {
    const wrap = h("div", `qapps-bar qapps-bar-${kind}`);
    wrap.title = title;
    const track = h("div", "qapps-track");
    const fill = h("div", "qapps-fill");
    track.appendChild(fill);
    wrap.append(h("span", "qapps-bar-caption", kind === "kernel" ? "kernel" : "S3"), track);
    return { wrap, fill };
  }

  function rowNode(id) {
    let node = nodes.get(id);
    if (node) return node;
    const tr = h("tr");
    tr.dataset.transfer = id;
    const cells = {};
    for (const c of ["name", "size", "status", "id", "x"]) {
      cells[c] = h("td", `qapps-col-${c}`);
      tr.appendChild(cells[c]);
    }
    const kernel = bar("kernel", "browser → kernel");
    const s3 = bar("s3", "kernel → S3");
    const bars = h("div", "qapps-bars");
    bars.append(kernel.wrap, s3.wrap);
    const state = h("span", "qapps-state");
    const progress = h("div", "qapps-progress");
    progress.append(bars, state);
    const note = h("div", "qapps-note");
    cells.status.append(progress, note);
    const fileId = h("code", "qapps-id");
    fileId.title = "fileId: one click selects it whole";
    const copy = h("button", "qapps-copy", "Copy");
    copy.type = "button";
    copy.title = "copy the fileId";
    copy.addEventListener("click", async () => {
      const ok = await copyText(fileId.textContent, fileId);
      copy.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(() => { copy.textContent = "Copy"; }, 1500);
    });
    const idBox = h("span", "qapps-id-box");
    idBox.append(fileId, copy);
    const reason = h("span", "qapps-reason");
    cells.id.append(idBox, reason);
    const x = h("button", "qapps-x", "✕");
    x.type = "button";
    x.title = "remove / cancel this file";
    x.setAttribute("aria-label", "cancel");
    x.addEventListener("click", () => onCancel(id));
    cells.x.appendChild(x);
    node = { tr, cells, kernel, s3, x, bars, state, note, fileId, idBox, reason };
    nodes.set(id, node);
    return node;
  }

  function fill(parts, fraction, on) {
    parts.fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
    parts.wrap.classList.toggle("qapps-bar-idle", !on);
  }

  function statusText(row, toKernel, toS3) {
    const pct = (f) => `${Math.floor(f * 100)}%`;
    switch (row.status) {
      case "selected": return row.problem ? "refused" : "selected";
      case "not-sent": return "not sent";
      case "waiting": return "waiting";
      case "receiving": return pct(toKernel);
      case "uploading": return row.phase === "hashing" ? "hashing" : pct(toS3);
      case "done": return "✓ stored";
      default: return row.status;
    }
  }

  function paintRow(row, localBytes) {
    const n = rowNode(row.id);
    const { cells } = n;
    n.tr.dataset.status = row.status;
    n.tr.className = `qapps-row-${row.status}`;
    if (cells.name.textContent !== row.file_name) {
      cells.name.textContent = row.file_name;
      cells.name.title = row.file_name;
    }
    cells.size.textContent = formatSize(row.size);
    const big = row.size > WARN_SIZE;
    cells.size.classList.toggle("qapps-big", big);
    cells.size.title = big ? `Amazon Q Business takes files of at most ${formatSize(WARN_SIZE, true)}: `
      + "the app may not be able to use this one" : "";
    const received = Math.max(row.received || 0, localBytes);
    const toKernel = row.size ? received / row.size : 0;
    const toS3 = row.size ? (row.sent || 0) / row.size : 0;
    fill(n.kernel, row.status === "uploading" ? 1 : toKernel, row.status !== "waiting");
    fill(n.s3, toS3, row.status === "uploading");
    if (row.seconds) {
      const rate = row.size / 1e6 / row.seconds;
      n.kernel.wrap.title = `browser → kernel: ${row.seconds.toFixed(2)} s (${rate.toFixed(0)} MB/s)`;
      n.tr.dataset.seconds = String(row.seconds);
    }
    // a failure's one-line reason fills the File ID cell; a plain Cancel needs none
    const reason = row.problem || (row.status === "failed" ? row.error
      : row.status === "cancelled" && row.error !== "cancelled" ? row.error : "");
    n.idBox.hidden = !row.file_id;
    n.fileId.textContent = row.file_id || "";
    if (row.file_id) n.tr.dataset.fileId = row.file_id;
    n.reason.textContent = row.file_id ? "" : reason;
    n.reason.title = n.reason.textContent;
    n.note.textContent = row.note || "";
    n.note.classList.toggle("qapps-note-warn", Boolean(row.note) && !row.attached);
    n.bars.hidden = !ACTIVE.has(row.status);
    n.state.textContent = statusText(row, toKernel, toS3);
    n.x.hidden = !(ACTIVE.has(row.status) || row.status === "selected");
  }

  // rows: kernel rows then local "selected" ones; localBytes(id): bytes this view saw acked
  function paint(rows, localBytes) {
    const keep = new Set(rows.map((r) => r.id));
    for (const [id, n] of nodes) {
      if (!keep.has(id)) { n.tr.remove(); nodes.delete(id); }
    }
    for (const row of rows) {
      paintRow(row, localBytes(row.id));
      body.appendChild(nodes.get(row.id).tr); // keeps the model's order
    }
    box.hidden = rows.length === 0;
  }

  return { box, paint };
}
