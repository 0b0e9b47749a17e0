import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../src/wire/broker-connection.js';
import { fetchMetadata } from '../src/wire/metadata.js';

// A broker that stops answering without closing its connections (stopped, paused, cut off by the
// network): a TCP server that accepts and never writes a byte back.
let silent: Server;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('a request without an answer', () => {
  it('fails after its timeout, with every other request on the connection, and closes the connection', async () => {
    const connection = await BrokerConnection.open({ host: '127.0.0.1', port }, 'timeout-test', 2000);
    const bounded = connection.request(3, 10, 'Metadata response', (w) => w.int32(0), 300);
    const other = fetchMetadata(connection, ['events']);
    await expect(bounded).rejects.toThrow(
      `no answer from 127.0.0.1:${port} to a Metadata request within 300 ms`,
    );
    await expect(other).rejects.toThrow(
      /no answer from 127\.0\.0\.1:\d+ to a Metadata request within 300 ms/,
    );
    expect(connection.closed).toBe(true);
  });
});
