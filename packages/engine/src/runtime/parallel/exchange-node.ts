import type { MessagePort } from 'node:worker_threads';
import type { WorkerPart } from '../../batch.js';
import { restoreOperator } from '../../checkpoint/operator-state.js';
import { serializeError } from '../../errors.js';
import { PartPool } from '../../partitioning/part-pool.js';
import { Partitioner } from '../../partitioning/partitioner.js';
import { loadChunkProducer } from '../../sources/parallel-source.js';
import { loadOperator } from '../load-operator.js';
import { LoadReporter, loadDetailIntervalMs } from '../monitor/thread-load.js';
import { ChunkOwner } from './chunk-owner.js';
import { HostedChunks } from './hosted-chunks.js';
import type {
  ControlMessage,
  ExchangeResult,
  ExchangeTask,
  LoadMessage,
  OutMessage,
  OwnerStateMessage,
  PartMessage,
  ProducerStateMessage,
  ReadyMessage,
  RecycleMessage,
  RejectedMessage,
} from './protocol.js';

function transferList(part: WorkerPart): ArrayBuffer[] {
  return [
    part.addresses.buffer as ArrayBuffer,
    part.types.buffer as ArrayBuffer,
    part.keyGroups.buffer as ArrayBuffer,
    part.positions.buffer as ArrayBuffer,
  ];
}

/**
 * One thread of a parallel-source job: produces its granted chunks (one per macrotask, so parts
 * arriving from other producers are applied in between), partitions each by key group and sends
 * every owner its part straight over the peer channel; and owns its key groups, applying parts in
 * chunk order. Resolves with the thread's totals on `end`; rejects (closing its ports) on error.
 */
export async function serveExchangeNode(
  task: Omit<ExchangeTask, 'control' | 'peers'>,
  control: MessagePort,
  peers: readonly (MessagePort | undefined)[],
): Promise<ExchangeResult> {
  const operator = await loadOperator(task.operator, task.context);
  if (task.start.keyed !== undefined) restoreOperator(operator, task.start.keyed);
  const producer =
    task.producers.length > 0 ? await loadChunkProducer(task.source, task.start.splits) : undefined;
  const chunks = new HostedChunks(task);
  const pool = new PartPool(task.threads);
  const partitioner = new Partitioner(task.threads, task.partitions, pool);
  const recycle = (part: PartMessage) => {
    const { addresses, types, keyGroups, positions } = part;
    if (part.from === task.thread) {
      pool.give(task.thread, { count: 0, addresses, types, keyGroups, positions });
      return;
    }
    const message: RecycleMessage = { t: 'recycle', addresses, types, keyGroups, positions };
    peers[part.from]?.postMessage(message, transferList(part));
  };
  const { dieAfterEvents } = task;
  // Time spent in this thread's handlers (producing, applying), reported with each output.
  const reporter = new LoadReporter(
    loadDetailIntervalMs(task.partitions),
    () => ({
      keyGroupEvents: partitioner.keyGroupEvents,
      liveKeys: operator.liveKeys(),
      rejects: producer?.rejects?.() ?? {},
    }),
    (load) => control.postMessage({ t: 'load', load } satisfies LoadMessage),
  );
  const { clock } = reporter;
  const owner = new ChunkOwner(
    operator,
    {
      postMessage: (message: OutMessage | OwnerStateMessage, transfer) => {
        if (message.t === 'out') message.load = reporter.load(owner.events);
        control.postMessage(message, transfer);
      },
    },
    task.start,
    (part) => {
      recycle(part);
      if (dieAfterEvents !== undefined && owner.events >= dieAfterEvents) process.exit(70);
    },
  );
  const ports = [control, ...peers.filter((port): port is MessagePort => port !== undefined)];

  // Failures resolve with the error serialized, so its code (e.g. INPUT_UNREADABLE) survives the
  // thread boundary; only a dying thread rejects the task.
  return new Promise<ExchangeResult>((resolve) => {
    let granted = -1;
    let scheduled = false;
    let stopped = false;
    // Barriers whose producer state is not reported yet, in increasing chunk order.
    const producerBarriers: number[] = [];
    const stop = () => {
      stopped = true;
      reporter.stop();
      for (const port of ports) port.close();
      producer?.close?.();
    };
    const fail = (error: unknown) => {
      if (stopped) return;
      stop();
      resolve({
        events: owner.events,
        liveKeys: 0,
        rejects: {},
        expiredKeys: 0,
        error: serializeError(error),
      });
    };
    const receive = (message: PartMessage) => {
      if (stopped) return;
      clock.begin();
      try {
        owner.receive(message);
      } catch (error) {
        fail(error);
      } finally {
        clock.end();
      }
    };
    // The producers' part of a barrier: reported once every hosted chunk before it is made.
    const reportProducersAtBarrier = () => {
      // A fed chunk before the barrier has always arrived: its input is sent before its grant.
      const next = chunks.peek();
      for (let barrier = producerBarriers[0]; barrier !== undefined; barrier = producerBarriers[0]) {
        if (next !== undefined && next < barrier) return;
        producerBarriers.shift();
        const message: ProducerStateMessage = {
          t: 'producer-state',
          chunk: barrier,
          splits: producer?.snapshot?.() ?? [],
          rejects: producer?.rejects?.() ?? {},
        };
        control.postMessage(message);
      }
    };
    const produceNext = () => {
      scheduled = false;
      if (stopped || producer === undefined) return;
      const next = chunks.peek();
      if (next === undefined || next > granted) return;
      clock.begin();
      try {
        reportProducersAtBarrier();
        const { chunk, input } = chunks.take();
        const batch = producer.produce(chunk, input);
        const chunkEvents = batch.count;
        if (task.source.keepsRejected) {
          const rejected = producer.takeRejected?.() ?? { lines: 0, records: [] };
          control.postMessage({ t: 'rejected', chunk, ...rejected } satisfies RejectedMessage);
        }
        const parts = partitioner.splitAll(batch);
        // Other owners' parts go out first, so they work on them while this thread applies its own.
        let own: PartMessage | undefined;
        parts.forEach((part, thread) => {
          const { count, addresses, types, keyGroups, positions } = part;
          const message: PartMessage = {
            t: 'part',
            chunk,
            from: task.thread,
            chunkEvents,
            count,
            addresses,
            types,
            keyGroups,
            positions,
          };
          if (thread === task.thread) own = message;
          else peers[thread]!.postMessage(message, transferList(part));
        });
        if (own !== undefined) receive(own);
        reportProducersAtBarrier();
      } catch (error) {
        fail(error);
        return;
      } finally {
        clock.end();
      }
      schedule();
    };
    const schedule = () => {
      if (scheduled || stopped) return;
      const chunk = chunks.peek();
      if (chunk === undefined || chunk > granted) return;
      scheduled = true;
      setImmediate(produceNext);
    };

    peers.forEach((peer, thread) => {
      peer?.on('message', (message: PartMessage | RecycleMessage) => {
        if (message.t === 'part') receive(message);
        else if (!stopped) {
          const { addresses, types, keyGroups, positions } = message;
          pool.give(thread, { count: 0, addresses, types, keyGroups, positions });
        }
      });
    });
    control.postMessage({ t: 'ready' } satisfies ReadyMessage);
    control.on('message', (message: ControlMessage) => {
      if (stopped) return;
      clock.begin();
      try {
        if (message.t === 'grant') {
          granted = Math.max(granted, message.upTo);
          owner.grant(granted);
          schedule();
          return;
        }
        if (message.t === 'feed') {
          chunks.add(message.chunk, message.input);
          schedule();
          return;
        }
        if (message.t === 'barrier') {
          producerBarriers.push(message.chunk);
          reportProducersAtBarrier();
          owner.checkpointAt(message.chunk);
          return;
        }
        const result: ExchangeResult = {
          events: owner.events,
          liveKeys: operator.liveKeys(),
          rejects: producer?.rejects?.() ?? {},
          expiredKeys: operator.expiredKeys?.() ?? 0,
          load: reporter.load(owner.events, true),
        };
        stop();
        resolve(result);
      } catch (error) {
        fail(error);
      } finally {
        clock.end();
      }
    });
  });
}
