// A custom state machine (login → password → MFA → session → logout) from a JSON file, run over
// Flink's event generator on two worker threads, with typed alerts. The same stream run inline on
// this thread must give the same alerts: the output never depends on the worker count.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { type Alert, compileMachineText, createMachineJob, fromGenerator, toMermaid } from '@statecraft/fsm';

const path = new URL('./machines/login.json', import.meta.url);
const machine = compileMachineText(await readFile(path, 'utf8'), 'login.json');
console.log(toMermaid(machine));

async function detect(workers: number): Promise<{ alerts: Alert[]; events: number }> {
  const alerts: Alert[] = [];
  const job = createMachineJob({
    machine,
    source: fromGenerator({ events: 200_000, seed: 42, errorRate: 0.01 }),
    onAlerts: (batch) => {
      alerts.push(...batch);
    },
    workers,
  });
  const summary = await job.run();
  assert.equal(summary.outputs, alerts.length);
  return { alerts, events: summary.events };
}

const parallel = await detect(2);
const inline = await detect(0);

assert.equal(parallel.events, 200_000);
assert.ok(parallel.alerts.length > 0, 'an error rate of 1% gives alerts');
assert.deepEqual(parallel.alerts, inline.alerts);
for (const alert of parallel.alerts) {
  assert.ok(machine.stateNames.includes(alert.state), alert.state);
  assert.ok(machine.eventNames.includes(alert.event), alert.event);
  assert.notEqual(alert.state, 'LoggedOut'); // terminal states release the address
}
console.log('first alerts:', parallel.alerts.slice(0, 3));
console.log(
  `custom-machine: ${parallel.events} events, ${parallel.alerts.length} alerts, same on 2 workers and inline: ok`,
);
