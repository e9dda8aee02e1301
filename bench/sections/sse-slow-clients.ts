import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StalledSseClient } from '../../core/test/support/stalled-sse-client.ts';
import type { ForgeApi } from '../api.ts';
import { makeSmallRepo } from '../fixtures.ts';
import { readLogStream } from '../log-stream-reader.ts';
import { RssSampler, readRssMb } from '../rss.ts';
import { printTable } from '../table.ts';

export interface SseSlowClientsResult {
  stalledClients: number;
  lines: number;
  lineBytes: number;
  /** `entry` events the one reading client got, and how many entries the attempt stored. */
  readerEntries: number;
  storedEntries: number;
  /** The reading client got every stored entry, once and in order. */
  readerGotAll: boolean;
  /** Stalled clients the server disconnected before the attempt's `end` event. */
  dropped: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssSamples: number;
  /** The attempt finished, the stalled clients still connected and unread. */
  rssAtEndMb: number;
  /** SETTLE_MS after every stalled client closed its socket. */
  rssAfterCloseMb: number;
}

const STALLED_CLIENTS = 200;
const LINES = 20_000;
const LINE_BYTES = 500;
const RSS_SAMPLE_MS = 50;
const POLL_MS = 50;
const SETTLE_MS = 10_000;
// Between the last client connecting and the attempt printing: the server answers their GETs.
const CONNECT_SETTLE_MS = 2_000;
const TIME_LIMIT_MS = 300_000;

/**
 * 9. Clients that connect to an attempt's log stream and never read, during an attempt that
 * prints much more than the kernel's socket buffers hold: the server's RSS while they are
 * connected and after they close, beside one client that reads everything.
 */
export async function benchSseSlowClients(api: ForgeApi, serverPid: number, repoDir: string): Promise<SseSlowClientsResult> {
  makeSmallRepo(repoDir);
  const projectId = await api.createProject('bench-sse-slow-clients', repoDir);
  const taskId = await api.createTask(projectId, 'Print a long log', 'print');
  const rssBeforeMb = readRssMb(serverPid);
  const sampler = new RssSampler(serverPid, RSS_SAMPLE_MS);
  // It prints once every client is connected, so all of them follow it live from its first line.
  const goFile = join(repoDir, '..', 'sse-slow-clients-go');
  const command = `while [ ! -e '${goFile}' ]; do sleep 0.05; done; line=$(printf '%0${LINE_BYTES - 7}d' 0); i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); printf '%06d %s\\n' $i "$line"; done`;
  const attempt = await api.startAttempt(taskId, 'script', { command });
  const path = `/api/v1/attempts/${attempt.id}/logs/stream`;
  const stalled: StalledSseClient[] = [];
  try {
    for (let i = 0; i < STALLED_CLIENTS; i++) stalled.push(await StalledSseClient.open(api.baseUrl, path));
    const reading = readLogStream(`${api.baseUrl}${path}`, TIME_LIMIT_MS).finally(() => sampler.stop());
    await new Promise((resolve) => setTimeout(resolve, CONNECT_SETTLE_MS));
    writeFileSync(goFile, '');
    const read = await reading;
    await api.waitForAttempt(attempt.id, POLL_MS, TIME_LIMIT_MS);
    const rssAtEndMb = readRssMb(serverPid);
    let storedEntries = 0;
    for (let after: number | null = 0; after !== null; ) {
      const page = await api.logPage(attempt.id, after);
      storedEntries += page.items.length;
      after = page.nextAfter;
    }
    let dropped = 0;
    for (const client of stalled) {
      const cut = await client.readToEnd();
      if (cut.endedBy === 'connection closed' && !cut.events.some((e) => e.event === 'end')) dropped++;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const result: SseSlowClientsResult = {
      stalledClients: STALLED_CLIENTS,
      lines: LINES,
      lineBytes: LINE_BYTES,
      readerEntries: read.entries,
      storedEntries,
      readerGotAll: read.entries === storedEntries && read.lastSeq === storedEntries,
      dropped,
      rssBeforeMb,
      peakRssMb: sampler.peakMb,
      rssSamples: sampler.samples,
      rssAtEndMb,
      rssAfterCloseMb: readRssMb(serverPid),
    };
    printTable(
      `9. ${STALLED_CLIENTS} SSE clients that never read an attempt's log of ${LINES.toLocaleString('en-US')} lines of ${LINE_BYTES} bytes, beside one that reads it`,
      ['measure', 'value'],
      [
        ['entries the reading client got / stored', `${result.readerEntries} / ${result.storedEntries}${result.readerGotAll ? '' : ' (!! some missing or repeated)'}`],
        ['stalled clients the server disconnected', `${result.dropped} of ${STALLED_CLIENTS}`],
        ['server RSS before (MB)', result.rssBeforeMb],
        [`server peak RSS (MB, ${result.rssSamples} samples)`, result.peakRssMb],
        ['server RSS when the attempt ended (MB)', result.rssAtEndMb],
        [`server RSS ${SETTLE_MS / 1000} s after the stalled clients closed (MB)`, result.rssAfterCloseMb],
      ],
    );
    return result;
  } finally {
    for (const client of stalled) client.destroy();
  }
}
