// qapps-nb upload widget, part 2 of 4: the results table.
// One row per file, keyed by transfer id and updated in place (so a row's ✕ button survives
// progress updates). File names and reasons are set with textContent, never as HTML.

function createTable(onCancel) {
  const table = h("table", "qapps-table");
  const head = h("thead");
  const headRow = h("tr");
  for (const [text, cls] of [["File", "qapps-col-name"], ["Size", "qapps-col-size"],
    ["Status", "qapps-col-status"], ["File ID", "qapps-col-id"], ["Expires", "qapps-col-exp"],
    ["", "qapps-col-x"]]) {
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
    for (const c of ["name", "size", "status", "id", "exp", "x"]) {
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
    cells.status.appendChild(progress);
    const x = h("button", "qapps-x", "✕");
    x.type = "button";
    x.title = "remove / cancel this file";
    x.setAttribute("aria-label", "cancel");
    x.addEventListener("click", () => onCancel(id));
    cells.x.appendChild(x);
    node = { tr, cells, kernel, s3, x, bars, state };
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
      case "waiting": return "waiting";
      case "receiving": return pct(toKernel);
      case "uploading": return row.phase === "hashing" ? "hashing" : pct(toS3);
      case "done": return row.sandbox ? "✓ done (sandbox)" : "✓ done";
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
    cells.size.title = big ? "Amazon Q Business takes files of at most 10 MB: the app may not "
      + "be able to use this one" : "";
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
    // a failure's one-line reason spans the File ID and Expires cells; a plain Cancel needs none
    const reason = row.problem || (row.status === "failed" ? row.error
      : row.status === "cancelled" && row.error !== "cancelled" ? row.error : "");
    cells.id.colSpan = 1;
    cells.exp.hidden = false;
    cells.id.className = "qapps-col-id";
    cells.id.textContent = "";
    cells.id.title = "";
    if (row.file_id) {
      cells.id.textContent = row.file_id;
      cells.id.className = "qapps-col-id qapps-mono";
      cells.id.title = "fileId (select to copy)";
      n.tr.dataset.fileId = row.file_id;
    } else if (reason) {
      cells.id.textContent = reason;
      cells.id.title = reason;
      cells.id.className = "qapps-col-id qapps-reason";
      cells.id.colSpan = 2;
      cells.exp.hidden = true;
    }
    cells.exp.textContent = row.expiration ? expiresIn(row.expiration) : "";
    cells.exp.title = row.expiration || "";
    n.bars.hidden = !ACTIVE.has(row.status);
    n.state.textContent = statusText(row, toKernel, toS3);
    n.state.title = row.sandbox ? "stored in the local qapps-nb sandbox, not in AWS" : "";
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

  // "expires in 14 min" goes stale; refresh the relative times now and then
  function tick(rows) {
    for (const row of rows) {
      if (row.expiration && nodes.has(row.id)) {
        nodes.get(row.id).cells.exp.textContent = expiresIn(row.expiration);
      }
    }
  }

  return { box, paint, tick };
}
