import type Hapi from '@hapi/hapi';

/**
 * Answers to a peer on this same machine are sent uncompressed, whatever it accepts: over
 * loopback no wire is crossed, so gzip only spends the server's one thread (about 5 ms for a
 * 1,000-task listing of 380 KB, which at 10 clients doubled p95; decision 0043). A client on
 * another host still gets gzip. An SSH tunnel or a proxy on this host that does not compress
 * looks like loopback too: FORGE_COMPRESS_LOOPBACK=1 turns this off for them.
 */
export function skipCompressionOnLoopback(server: Hapi.Server): void {
  server.ext('onRequest', (request, h) => {
    // hapi picks the encoding from this field, read from the request's headers before onRequest.
    if (isLoopbackAddress(request.info.remoteAddress)) (request.info as { acceptEncoding: string }).acceptEncoding = 'identity';
    return h.continue;
  });
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
