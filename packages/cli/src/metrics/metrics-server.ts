import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { DashboardFeed } from './dashboard-feed.js';
import { DASHBOARD_PAGE } from './dashboard-page.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/**
 * `--metrics-port`: Prometheus metrics at /metrics, the live dashboard at /, and the dashboard's
 * data at /api/status, served by the job's own process for as long as the job runs.
 */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    /** The address it listens on, e.g. http://127.0.0.1:9464. */
    readonly url: string,
  ) {}

  static async start(
    host: string,
    port: number,
    content: { prometheus: PrometheusMetrics; feed: DashboardFeed },
  ): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      serve(request, response, content).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(`${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new CliError(
            `--metrics-port ${port}: cannot listen on ${host}:${port} (${error.code ?? error.message})`,
            ExitCode.usage,
          ),
        ),
      );
      server.listen({ host, port }, resolve);
    });
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    return new MetricsServer(server, `http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A dashboard keeps its connection alive between polls; the job's end must not wait for it.
    this.server.closeAllConnections();
    await closed;
  }
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  content: { prometheus: PrometheusMetrics; feed: DashboardFeed },
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/metrics') {
    const { registry } = content.prometheus;
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType }).end(body);
  } else if (path === '/api/status') {
    response
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(content.feed.json());
  } else if (path === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(DASHBOARD_PAGE);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try / or /metrics\n');
  }
}
