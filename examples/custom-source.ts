// A custom source: login events arriving one by one from an async iterable (as from a message
// queue or a socket), checked against the login machine; alerts arrive as typed objects. A second
// job reads an endless feed and is stopped gracefully once it has seen enough.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type EventRecord, fromEvents } from '@statecraft/engine';
import { type Alert, createMachineJob } from '@statecraft/fsm';

const machine = fileURLToPath(new URL('./machines/login.json', import.meta.url));

/** A feed with some pauses, as a live source has. */
async function* loginFeed(): AsyncGenerator<EventRecord> {
  const sessions: [string, string[]][] = [
    ['10.1.0.1', ['login', 'password-ok', 'mfa-challenge', 'mfa-ok', 'session-refresh', 'logout']],
    ['10.1.0.2', ['login', 'password-fail', 'lockout']],
    ['10.1.0.3', ['login', 'mfa-ok']], // skips the password: an alert
    ['10.1.0.4', ['password-ok']], // never logged in: an alert
    ['10.1.0.1', ['login', 'password-ok', 'logout']], // logs out before MFA: an alert
  ];
  for (const [address, events] of sessions) {
    for (const type of events) yield { address, type };
    await sleep(5);
  }
}

const alerts: Alert[] = [];
const summary = await createMachineJob({
  machine,
  source: fromEvents(loginFeed(), { maxDelayMs: 10 }),
  onAlerts: (batch) => {
    for (const alert of batch) console.log(`ALERT ${alert.address} : ${alert.state} -> ${alert.event}`);
    alerts.push(...batch);
  },
  workers: 2,
}).run();

assert.deepEqual(alerts, [
  { address: '10.1.0.3', state: 'Authenticating', event: 'mfa-ok' },
  { address: '10.1.0.4', state: 'Anonymous', event: 'password-ok' },
  { address: '10.1.0.1', state: 'MfaPending', event: 'logout' },
]);
assert.equal(summary.events, 15);
assert.equal(summary.liveKeys, 2); // 10.1.0.3 and 10.1.0.1 are still mid-session

/** An endless feed: every tenth address skips its password. */
async function* endless(): AsyncGenerator<EventRecord> {
  for (let n = 0; ; n++) {
    const address = 0x0a020000 + n;
    yield { address, type: 'login' };
    yield { address, type: n % 10 === 0 ? 'mfa-ok' : 'password-ok' };
    if (n % 1000 === 0) await sleep(1);
  }
}

let seen = 0;
const job = createMachineJob({
  machine,
  source: fromEvents(endless()),
  onAlerts: (batch) => {
    seen += batch.length;
    if (seen >= 500) job.stop();
  },
  workers: 2,
});
const stopped = await job.run();
assert.equal(stopped.interrupted, true);
assert.equal(stopped.outputs, seen);
assert.ok(seen >= 500);
console.log(
  `custom-source: ${summary.events} events, ${alerts.length} alerts; endless feed stopped after ${stopped.events} events: ok`,
);
