// qapps-nb upload widget, part 3 of 4: moving files to the kernel over the widget's comm.
//
// Protocol, browser -> kernel:
//   {type:"begin", transfer, name, size}            kernel answers "ready" or "refused"
//   {type:"chunk", transfer, seq, offset} + buffer   kernel answers "ack" {seq, received}
//   {type:"cancel", transfer?}                       no transfer = everything in progress
//   {type:"error", transfer, reason}                 the browser could not read the file
// kernel -> browser: "ready", "refused", "ack", "abort" {transfer, reason}.
// Chunks are File.slice() reads of `chunk_size` bytes (at most 8 MiB: the Jupyter server
// drops websocket messages above 10 MiB); at most `window` are unacknowledged at a time.
// Files go one after another; the kernel uploads each to S3 while the next one streams in.

function createSender(model, changed) {
  const outgoing = new Map();  // transfers this view sends: id -> state
  const queue = [];            // announced and "ready", waiting their turn
  let active = null;

  function pump() {
    if (active === null) {
      active = queue.shift() || null;
      if (active === null) { changed(); return; }
    }
    const t = active;
    const size = Math.min(Math.max(model.get("chunk_size"), 65536), 8 * 1024 * 1024);
    // the kernel holds at most 64 MiB of out-of-order chunks (transfer.MAX_PENDING_BYTES)
    const windowSize = Math.max(1, Math.min(model.get("window"), Math.floor(64 * 1024 * 1024 / size)));
    while (!t.stopped && t.inflight < windowSize && t.next < t.file.size) {
      const start = t.next;
      const end = Math.min(start + size, t.file.size);
      const seq = t.seq;
      t.seq += 1;
      t.next = end;
      t.inflight += 1;
      // reads may finish out of order; the kernel puts chunks back in order by offset
      t.file.slice(start, end).arrayBuffer().then((buffer) => {
        if (t.stopped) return;
        model.send({ type: "chunk", transfer: t.id, seq, offset: start }, undefined, [buffer]);
      }).catch((err) => {
        if (t.stopped) return;
        stop(t);
        model.send({ type: "error", transfer: t.id,
          reason: `the browser could not read the file (${err && err.name ? err.name : err})` });
      });
    }
  }

  function stop(t) {
    t.stopped = true;
    outgoing.delete(t.id);
    const i = queue.indexOf(t);
    if (i >= 0) queue.splice(i, 1);
    if (active === t) { active = null; pump(); }
  }

  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    const t = outgoing.get(msg.transfer);
    if (!t) return;  // another view's transfer
    if (msg.type === "ready") {
      if (t.problem) { stop(t); return; }  // refused here already: no byte moves
      queue.push(t);
      pump();
    } else if (msg.type === "refused" || msg.type === "abort") {
      stop(t);
    } else if (msg.type === "ack") {
      t.inflight -= 1;
      t.acked = Math.max(t.acked, msg.received || 0);
      if (t.acked >= t.file.size) {
        outgoing.delete(t.id);
        if (active === t) active = null;
      }
      pump();
      changed();
    }
  }

  // selection: [{id, file, problem}]; a file with a problem is announced (so the kernel
  // records the refusal) but never sent
  function begin(selection) {
    for (const s of selection) {
      const t = { id: s.id, file: s.file, next: 0, seq: 0, inflight: 0, acked: 0,
        stopped: false, problem: s.problem };
      outgoing.set(t.id, t);
      model.send({ type: "begin", transfer: t.id, name: s.file.name, size: s.file.size,
        refused: s.problem || undefined });
    }
  }

  function cancelOne(id) {
    const t = outgoing.get(id);
    if (t) stop(t);
    model.send({ type: "cancel", transfer: id });
  }

  function cancelAll() {
    queue.length = 0;
    const all = [...outgoing.values()];
    active = null;
    for (const t of all) { t.stopped = true; outgoing.delete(t.id); }
    model.send({ type: "cancel" });
    changed();
  }

  return {
    begin,
    cancelOne,
    cancelAll,
    onMessage,
    busy: () => active !== null || queue.length > 0,
    acked: (id) => (outgoing.has(id) ? outgoing.get(id).acked : 0),
    dispose: () => { for (const t of outgoing.values()) t.stopped = true; },
  };
}
