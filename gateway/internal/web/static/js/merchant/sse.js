// Server-Sent Events over fetch(), so the access token travels in the
// Authorization header (EventSource cannot send headers, and a token in
// the URL would end up in logs). Reconnects with backoff, refreshes the
// token on a 401, and treats 45 s of silence (the server sends a heartbeat
// every 15 s) as a dead connection.

const silenceLimit = 45000;

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/**
 * Streams url until signal aborts, calling onEvent(name, data) for each
 * event (data parsed as JSON when it is JSON) and onState(state) with
 * "connecting", "live", "reconnecting" or "signed-out".
 */
export async function streamEvents(url, { session, signal, onEvent, onState }) {
  let backoff = 500;
  while (!signal.aborted) {
    onState('connecting');
    const conn = new AbortController();
    const stop = () => conn.abort();
    signal.addEventListener('abort', stop, { once: true });
    let watchdog = 0;
    const feed = () => { clearTimeout(watchdog); watchdog = setTimeout(stop, silenceLimit); };
    try {
      const auth = await session.authorization();
      if (!auth) { onState('signed-out'); return; }
      feed();
      const resp = await fetch(url, { headers: { Accept: 'text/event-stream', Authorization: auth }, cache: 'no-store', signal: conn.signal });
      if (resp.status === 401) {
        if (await session.refresh()) continue;
        onState('signed-out');
        return;
      }
      if (!resp.ok || !resp.body) throw new Error(`stream answered ${resp.status}`);
      onState('live');
      backoff = 500;
      await readEvents(resp.body, feed, onEvent);
    } catch {
      // A dropped connection is retried below.
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) return;
    onState('reconnecting');
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, 10000);
  }
}

async function readEvents(body, feed, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    feed();
    buf += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      dispatch(block, onEvent);
    }
  }
}

function dispatch(block, onEvent) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const key = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (key === 'event') name = value;
    else if (key === 'data') data.push(value);
  }
  if (!data.length) return;
  const text = data.join('\n');
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* plain text */ }
  onEvent(name, parsed);
}
