/**
 * An HTTP POST as the firmware needs it (enrolment, uplink): the body out,
 * the status and the reply's bytes back. Backends implement it: Moddable's
 * ECMA-419 HTTP client on a device (hal/moddable/moddable-http-post.ts), the
 * host's network through the XS bridge in the simulator, fetch on Node. The
 * reply stays bytes here, as ECMA-419's read() gives them; the firmware
 * decodes what it expects (JSON).
 */
export type HttpReply = { status: number; body: Uint8Array } | { error: string };

/** POSTs `body` to `url`; `done` runs once. */
export type HttpPost = (url: string, contentType: string, body: Uint8Array, done: (reply: HttpReply) => void) => void;
