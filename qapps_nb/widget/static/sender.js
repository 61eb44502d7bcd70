// qapps-nb upload widget, part 3 of 5: moving files to the kernel over the widget's comm.
//
// Protocol, browser -> kernel:
//   {type:"begin", transfer, name, size}            kernel answers "ready" or "refused"
//   {type:"chunk", transfer, seq, offset} + buffer   kernel answers "ack" {seq, received}
//   {type:"cancel", transfer?}                       no transfer = everything in progress
//   {type:"error", transfer, reason}                 the browser could not read the file
// kernel -> browser: "ready", "refused", "ack", "abort" {transfer, reason}.
// Chunks are File.slice() reads of `chunk_size` bytes (at most 8 MiB: the Jupyter server
// drops websocket messages above 10 MiB); at most `window` are unacknowledged at a time,
// across all files. Up to `parallel` files are sent at once, their chunks taken in turn,
// so a small file is not stuck behind a big one; the kernel uploads each file to S3 as soon
// as its last chunk arrives.

function createSender(model, changed) {
  const outgoing = new Map();  // transfers this view sends: id -> state
  const queue = [];            // announced and "ready", waiting their turn
  const active = [];           // being sent now (at most `parallel`)
  let turn = 0;                // round-robin position in `active`
  let inflight = 0;            // chunks sent and not yet acknowledged, all files together

  function chunkSize() {
    return Math.min(Math.max(model.get("chunk_size"), 65536), 8 * 1024 * 1024);
  }

  function pump() {
    const parallel = Math.max(1, model.get("parallel") || 1);
    while (active.length < parallel && queue.length) active.push(queue.shift());
    if (active.length === 0) { changed(); return; }
    const size = chunkSize();
    // the kernel holds at most 64 MiB of out-of-order chunks (transfer.MAX_PENDING_BYTES)
    const windowSize = Math.max(1, Math.min(model.get("window"), Math.floor(64 * 1024 * 1024 / size)));
    let idle = 0;
    while (inflight < windowSize && idle < active.length) {
      turn = (turn + 1) % active.length;
      const t = active[turn];
      if (t.stopped || t.next >= t.file.size) { idle += 1; continue; }
      idle = 0;
      sendChunk(t, size);
    }
  }

  function sendChunk(t, size) {
    const start = t.next;
    const end = Math.min(start + size, t.file.size);
    const seq = t.seq;
    t.seq += 1;
    t.next = end;
    t.inflight += 1;
    inflight += 1;
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

  function release(t) {
    // chunks of a stopped transfer will never be acknowledged: free their window slots
    inflight = Math.max(0, inflight - t.inflight);
    t.inflight = 0;
    const i = active.indexOf(t);
    if (i >= 0) active.splice(i, 1);
  }

  function stop(t) {
    t.stopped = true;
    outgoing.delete(t.id);
    const i = queue.indexOf(t);
    if (i >= 0) queue.splice(i, 1);
    release(t);
    pump();
  }

  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    const t = outgoing.get(msg.transfer);
    if (!t) return;  // another view's transfer
    if (msg.type === "ready") {
      queue.push(t);
      pump();
    } else if (msg.type === "refused" || msg.type === "abort") {
      stop(t);
    } else if (msg.type === "ack") {
      if (t.inflight > 0) { t.inflight -= 1; inflight = Math.max(0, inflight - 1); }
      t.acked = Math.max(t.acked, msg.received || 0);
      if (t.acked >= t.file.size) {
        outgoing.delete(t.id);
        release(t);
      }
      pump();
      changed();
    }
  }

  // selection: [{id, file}], files the browser found nothing wrong with (a refused file
  // is never announced: it was not an upload). The kernel checks each again on "begin".
  function begin(selection) {
    for (const s of selection) {
      const t = { id: s.id, file: s.file, next: 0, seq: 0, inflight: 0, acked: 0,
        stopped: false };
      outgoing.set(t.id, t);
      model.send({ type: "begin", transfer: t.id, name: s.file.name, size: s.file.size });
    }
  }

  function cancelOne(id) {
    const t = outgoing.get(id);
    if (t) stop(t);
    model.send({ type: "cancel", transfer: id });
  }

  function cancelAll() {
    queue.length = 0;
    for (const t of [...outgoing.values()]) { t.stopped = true; outgoing.delete(t.id); release(t); }
    active.length = 0;
    inflight = 0;
    model.send({ type: "cancel" });
    changed();
  }

  return {
    begin,
    cancelOne,
    cancelAll,
    onMessage,
    busy: () => active.length > 0 || queue.length > 0,
    acked: (id) => (outgoing.has(id) ? outgoing.get(id).acked : 0),
    dispose: () => { for (const t of outgoing.values()) t.stopped = true; },
  };
}
