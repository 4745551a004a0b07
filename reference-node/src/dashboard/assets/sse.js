/**
 * Server-sent events read over fetch, for a stream the page wants replayed from a `Last-Event-ID`
 * on its first connection too (EventSource sends one only when it reconnects). Reconnects after the
 * stream's `retry` (default 2 s) with the last id seen, like EventSource.
 *
 *   followEvents('/v1/notices', { lastEventId: '0.0', onEvent(event, data) {…}, onState(s) {…} });
 */
export function followEvents(url, { lastEventId, onEvent, onState }) {
  let last = lastEventId;
  let retry = 2_000;
  const dispatch = (block) => {
    let event = 'message';
    let id;
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^[0-9]{1,9}$/.test(value)) retry = Number(value);
    }
    if (id !== undefined) last = id;
    if (data.length > 0) onEvent(event, data.join('\n'));
  };
  const connect = async () => {
    try {
      const res = await fetch(url, {
        headers: { accept: 'text/event-stream', ...(last === undefined ? {} : { 'last-event-id': last }) },
        cache: 'no-store',
      });
      if (!res.ok || res.body === null) throw new Error(`${url}: HTTP ${res.status}`);
      onState?.('open');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = (buffer + value).replace(/\r\n?/g, '\n');
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // reconnect below
    }
    onState?.('reconnecting');
    setTimeout(connect, retry);
  };
  connect();
}
