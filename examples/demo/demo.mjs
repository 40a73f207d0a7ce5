// Minimal demo (the full three-vendor demo replaces it): one session starting, events,
// backgrounding past the timeout and the session ending at the last activity, on an accelerated clock.
import { createHub } from '@sessionhub/core';

let now = Date.UTC(2026, 0, 1, 9, 0, 0);
const clock = () => now;
const wait = (seconds) => void (now += seconds * 1000);
const at = (t) => new Date(t).toISOString().slice(11, 19);

const hub = createHub({ clock, sessionTimeout: 60 });
hub.on('sessionStart', (s) => console.log(`${at(s.startTime)}  ▶ session ${s.sessionIndex} ${s.sessionId} (${s.trigger})`));
hub.on('event', (e) => console.log(`${at(e.timestamp)}    event ${e.name} #${e.eventIndex}`));
hub.on('background', (r) => console.log(`${at(r.timestamp)}    background`));
hub.on('foreground', (r) => console.log(`${at(r.timestamp)}    foreground`));
hub.on('sessionEnd', (s) =>
  console.log(`${at(s.endTime)}  ■ session ${s.sessionIndex} ended (${s.reason}), ${s.duration / 1000} s, ${s.eventCount} events, attributes ${JSON.stringify(s.attributes)}`),
);

await hub.start();
wait(5); hub.logEvent('song_played', { genre: 'jazz' });
hub.incrementSessionAttribute('songs_played');
wait(30); hub.logEvent('song_played', { genre: 'blues' });
hub.incrementSessionAttribute('songs_played');
wait(10); hub.background();
wait(20); hub.foreground();          // 20 s < 60 s: the same session
wait(15); hub.background();
wait(90); hub.foreground();          // 90 s ≥ 60 s: ended at the last activity, a new one starts
wait(3); hub.logEvent('song_played', { genre: 'funk' });
await hub.shutdown();
