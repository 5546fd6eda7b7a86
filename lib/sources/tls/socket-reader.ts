import type { Socket } from 'node:net';
import { ProbeError } from '../../net/probe-error.ts';

/** Most bytes a plaintext STARTTLS dialogue may send us before we give up on it. */
export const MAX_PLAINTEXT_BYTES = 64 * 1024;

/**
 * Reads lines and bytes from a socket during a plaintext dialogue, with a cap on how much the
 * server may send. `release()` hands the socket over to TLS and fails if the server sent bytes
 * we did not ask for (a STARTTLS response-injection attempt, or a confused server).
 */
export class SocketReader {
  private buffer = Buffer.alloc(0);
  private total = 0;
  private ended = false;
  private overflowed = false;
  private waiter: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.total += chunk.length;
    // The cap holds inside a read: bytes past it are never buffered or handed to a parser.
    if (this.total > MAX_PLAINTEXT_BYTES) {
      this.socket.off('data', this.onData);
      this.socket.pause();
      this.overflowed = true;
    } else this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake();
  };

  private readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  /** The next line without its line ending. */
  async readLine(): Promise<string> {
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline !== -1) {
        const line = this.buffer.subarray(0, newline).toString('latin1').replace(/\r$/, '');
        this.buffer = this.buffer.subarray(newline + 1);
        return line;
      }
      await this.more();
    }
  }

  /** Exactly `length` bytes. */
  async readBytes(length: number): Promise<Buffer> {
    while (this.buffer.length < length) await this.more();
    const bytes = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return bytes;
  }

  /** Whatever the server has sent and was not read yet (waits for at least one byte). */
  async readSome(): Promise<Buffer> {
    while (this.buffer.length === 0) await this.more();
    const bytes = this.buffer;
    this.buffer = Buffer.alloc(0);
    return bytes;
  }

  /** Puts back bytes read with readSome that were not the dialogue's (checked by release). */
  unread(bytes: Buffer): void {
    this.buffer = Buffer.concat([bytes, this.buffer]);
  }

  /** Stops reading; throws if the server sent more than was read. */
  release(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    if (this.buffer.length > 0 || this.overflowed) {
      throw new ProbeError('protocol', 'the server sent unexpected data after agreeing to STARTTLS');
    }
  }

  private more(): Promise<void> {
    if (this.overflowed) {
      throw new ProbeError('protocol', `the server sent more than ${MAX_PLAINTEXT_BYTES} bytes before TLS`);
    }
    if (this.ended) {
      throw new ProbeError('reset', 'the server closed the connection before STARTTLS completed');
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
