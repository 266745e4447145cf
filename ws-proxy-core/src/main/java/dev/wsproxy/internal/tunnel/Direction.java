package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One direction of a tunnel: reads bytes from its source, tracks the WebSocket frame headers in them, and
 * writes them unchanged to its target, reading again only when that write completed (demand, so memory is
 * one buffer per direction and a slow reader slows its writer). Payloads are neither unmasked nor copied;
 * control frames (at most 125 bytes) are looked at whole, so the proxy sees close codes and the pongs that
 * answer its own pings (which it drops). Frames the proxy writes itself (pings, closes) are spliced in at
 * frame boundaries only.
 *
 * <p>Threading: the pump ({@link #pump()}) runs on whichever thread woke it (a fill or write callback),
 * never on two threads at once (a work-in-progress counter serialises it); {@link #inject} may be called
 * from any thread. {@link #lock} guards the injections, the boundary flag and the {@link TargetWriter}'s
 * queue; no I/O is done while it is held.
 */
final class Direction implements TargetWriter.Events {

    final String sourceName;
    final String targetName;
    final boolean fromClient;
    private final TunnelEndpoint source;
    private final TunnelEndpoint target;
    private final DirectionOwner owner;
    private final boolean allowRsv1;
    private final boolean allowOtherRsv;
    private final long maxFrameSize;
    private final long maxMessageSize;

    // ---- scanner state: touched by the pump only ----
    /** A header split across reads, assembled; allocated at the first such header. */
    private byte[] header;
    private int headerFill;
    private boolean headerInPlace;
    private long payloadLeft;
    private byte[] control;
    private int controlFill;
    private int controlHeaderLength;
    private boolean inMessage;
    private long messageBytes;
    private volatile boolean discarding;
    private volatile boolean discardRequested;
    /** Whether {@link #injections} may be non-empty: set under the lock, read without it at frame ends. */
    private volatile boolean injectionsWaiting;
    private volatile long lastReadNanos = System.nanoTime();

    // ---- pump state ----
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean started;
    private volatile boolean demandPending;
    private volatile boolean writePending;
    private boolean inputDone;
    private final ReadBuffer reads;
    private final List<ByteBuffer> pieces = new ArrayList<>(4); // a read is usually one piece; grows when needed
    /** The read buffer itself is the write's only data piece (no slice): its position is left alone. */
    private boolean writeInPlace;
    // allocated once: the endpoints reuse their callbacks while these stay the same
    private final Runnable onReadable = this::onReadable;
    private final Runnable onDataWritten = this::onDataWritten;
    /** Paces reads on a rate-limited route (client direction only), else null; set before {@link #start()}. */
    private RateGate gate;

    // ---- writer state, guarded by lock ----
    private final Object lock = new Object();
    /** Sized for the usual one waiting frame (a ping): a tunnel keeps it for its life. */
    private final ArrayDeque<ByteBuffer> injections = new ArrayDeque<>(1);
    private boolean scanning;
    private boolean atBoundary = true;
    private final TargetWriter writer;

    Direction(String sourceName, String targetName, boolean fromClient, TunnelEndpoint source, TunnelEndpoint target,
              DirectionOwner owner, BufferPool pool, boolean allowRsv1, boolean allowOtherRsv, long maxFrameSize,
              long maxMessageSize) {
        this.sourceName = sourceName;
        this.targetName = targetName;
        this.fromClient = fromClient;
        this.source = source;
        this.target = target;
        this.owner = owner;
        this.reads = new ReadBuffer(pool);
        this.allowRsv1 = allowRsv1;
        this.allowOtherRsv = allowOtherRsv;
        this.maxFrameSize = maxFrameSize;
        this.maxMessageSize = maxMessageSize;
        this.writer = new TargetWriter(lock, target, this);
    }

    /** From the writer: a close frame was written to the target. */
    @Override
    public void closeWritten() {
        owner.closeWritten(this);
    }

    /** From the writer: the target failed. */
    @Override
    public void failed(Throwable failure) {
        targetFailed(failure);
    }

    void rateGate(RateGate gate) {
        this.gate = gate;
        reads.gate(gate);
    }

    /** Bytes the source sent before the tunnel started (read while parsing the HTTP head). */
    void prefill(ByteBuffer bytes) {
        reads.prefill(bytes);
    }

    /** Starts reading the source. */
    void start() {
        started = true;
        pump();
    }

    /**
     * From the source's next frame boundary on, its bytes are parsed (control frames still reported) but
     * not forwarded: the proxy has closed the target, or is about to.
     */
    void discardFromNextBoundary() {
        synchronized (lock) {
            if (!scanning && atBoundary) {
                discarding = true;
            } else {
                discardRequested = true;
            }
        }
    }

    /** Whether everything forwarded so far ends on a frame boundary (so a frame of the proxy's own fits). */
    boolean atBoundary() {
        synchronized (lock) {
            return !scanning && atBoundary;
        }
    }

    /** When bytes were last read from the source. */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Nanos since the last write to the target was queued. */
    long nanosSinceLastWrite(long now) {
        return writer.nanosSinceLastWrite(now);
    }

    /** How long the current write to the target has been outstanding, or 0. */
    long blockedNanos(long now) {
        return writer.blockedNanos(now);
    }

    /** Whether the pump is waiting for the target to take a write (so the source is not being read). */
    boolean waitingForTarget() {
        return writePending;
    }

    /**
     * Writes a frame of the proxy's own to the target at the next frame boundary, after everything queued.
     * Dropped when the target can no longer be written.
     */
    void inject(ByteBuffer frame) {
        TargetWriter.Write now = null;
        synchronized (lock) {
            if (writer.broken()) {
                return;
            }
            if (scanning || !atBoundary) {
                injections.add(frame);
                injectionsWaiting = true;
                return;
            }
            now = writer.enqueue(new TargetWriter.Write(new ByteBuffer[] {frame}, null, TargetWriter.isClose(frame)),
                    System.nanoTime());
        }
        if (now != null) {
            writer.start(now, System.nanoTime());
        }
    }

    // ---- the pump ----------------------------------------------------------------------------------

    void pump() {
        int missed = wip.incrementAndGet();
        if (missed != 1) {
            return;
        }
        do {
            try {
                pumpOnce();
            } catch (RuntimeException | Error e) {
                inputDone = true;
                owner.internalFailure(this, e);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void pumpOnce() {
        while (started && !writePending && !demandPending && !inputDone) {
            ByteBuffer buffer = reads.current(source.needsHeapBuffers() || target.needsHeapBuffers());
            if (!buffer.hasRemaining()) {
                if (gate != null) {
                    demandPending = true; // before the wake-up is scheduled: it may run at once
                    if (gate.holdBeforeRead(this, onReadable)) {
                        return;
                    }
                    demandPending = false;
                }
                int n;
                try {
                    n = source.fill(buffer);
                } catch (IOException | RuntimeException e) {
                    inputDone = true;
                    reads.release();
                    owner.inputEnded(this, e);
                    return;
                }
                if (n < 0) {
                    inputDone = true;
                    reads.release();
                    owner.inputEnded(this, null);
                    return;
                }
                reads.read(n);
                if (n == 0) {
                    reads.release();
                    demandPending = true;
                    if (source.demand(onReadable)) {
                        demandPending = false;
                        continue;
                    }
                    return;
                }
            }
            long now = System.nanoTime(); // one clock read per read: the scan and the write take it too
            lastReadNanos = now;
            TargetWriter.Write write = scan(buffer, now);
            if (write == null) {
                buffer.limit(buffer.position());
                continue;
            }
            if (write != NOTHING_TO_START) {
                writer.start(write, now);
            }
        }
    }

    private void onReadable() {
        demandPending = false;
        pump();
    }

    private void onDataWritten() {
        reads.emptied();
        writePending = false;
        pump();
    }

    /** Ends the pump for good (the tunnel is closing its endpoints); releases the buffer when idle. */
    void stop() {
        started = false;
        if (wip.get() == 0 && !writePending) {
            reads.releaseWhenStopped();
        }
    }

    // ---- the scanner ------------------------------------------------------------------------------

    private static final TargetWriter.Write NOTHING_TO_START = new TargetWriter.Write(new ByteBuffer[0], null, false);

    /** Data frames, their payload bytes and ended messages read in this scan, reported once at its end. */
    private int scanFrames;
    private long scanPayload;
    private int scanMessages;
    private long scanLargest;
    private int violationCode;
    private String violationReason;
    private boolean piecesHaveClose;
    /** The source sent its close frame: everything after it is dropped. */
    private boolean closeSeen;

    /**
     * Walks all readable bytes of {@code in}, tracking frames, and queues what is to be forwarded. {@code
     * readNanos}: when they were read.
     *
     * @return {@code null} when nothing is to be written (the bytes were consumed), {@link #NOTHING_TO_START}
     *     when a write was queued behind another, or the write to start now
     */
    private TargetWriter.Write scan(ByteBuffer in, long readNanos) {
        synchronized (lock) {
            scanning = true;
        }
        pieces.clear();
        writeInPlace = false;
        piecesHaveClose = false;
        int p = in.position();
        int limit = in.limit();
        int runStart = p;
        while (p < limit) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, limit - p);
                p += n;
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    runStart = boundary(in, runStart, p);
                }
                continue;
            }
            if (control != null) {
                int n = Math.min(control.length - controlFill, limit - p);
                in.get(p, control, controlFill, n);
                controlFill += n;
                p += n;
                runStart = p;
                runStart = controlComplete(in, runStart, p);
                continue;
            }
            // a frame header starts here, or continues one begun in the previous read
            int frameStart = p;
            int b0;
            int b1;
            int need;
            long length;
            if (headerFill == 0 && limit - p >= 2
                    && limit - p >= (need = FrameHeaders.length(b1 = in.get(p + 1) & 0xFF))) {
                // the whole header is in this buffer: read it in place (the common case)
                b0 = in.get(p) & 0xFF;
                length = FrameHeaders.payloadLength(in, p, b1);
                headerInPlace = true;
                p += need;
            } else {
                if (headerFill == 0) {
                    headerInPlace = true;
                }
                if (header == null) {
                    header = new byte[Frames.MAX_HEADER];
                }
                while (p < limit && headerFill < (need = FrameHeaders.length(header, headerFill))) {
                    int n = Math.min(need - headerFill, limit - p);
                    in.get(p, header, headerFill, n);
                    headerFill += n;
                    p += n;
                }
                need = FrameHeaders.length(header, headerFill);
                if (headerFill < need) {
                    if (headerInPlace) {
                        addRun(in, runStart, frameStart);
                    }
                    headerInPlace = false; // held in `header` until complete, then written as a copy
                    runStart = p;
                    break;
                }
                headerFill = 0;
                b0 = header[0] & 0xFF;
                b1 = header[1] & 0xFF;
                length = FrameHeaders.payloadLength(header);
            }
            String problem = FrameHeaders.check(b0, b1, length, sourceName, fromClient, allowRsv1, allowOtherRsv,
                    inMessage, messageBytes, maxFrameSize, maxMessageSize);
            if (problem != null) {
                if (headerInPlace) {
                    addRun(in, runStart, frameStart);
                }
                violationCode = Integer.parseInt(problem.substring(0, 4));
                violationReason = problem.substring(5);
                discarding = true;
                p = limit;
                runStart = limit;
                break;
            }
            if (!headerInPlace) {
                runStart = p;
            }
            int opcode = b0 & 0x0F;
            if (!Frames.isControl(opcode)) {
                boolean fin = (b0 & Frames.FIN) != 0;
                if (!discarding) {
                    scanPayload += length;
                    if (fin) {
                        scanMessages++;
                        scanLargest = Math.max(scanLargest, messageBytes + length);
                    }
                    scanFrames++;
                    if (gate != null) {
                        gate.frame(length, fin);
                    }
                }
                inMessage = !fin;
                messageBytes = fin ? 0 : messageBytes + length;
                if (!headerInPlace && !discarding) {
                    pieces.add(ByteBuffer.wrap(java.util.Arrays.copyOf(header, need)));
                }
                payloadLeft = length;
                if (length == 0) {
                    runStart = boundary(in, runStart, p);
                }
                continue;
            }
            int total = need + (int) length;
            if (headerInPlace && limit - frameStart >= total) {
                byte[] frame = new byte[total];
                in.get(frameStart, frame, 0, total);
                p = frameStart + total;
                if (!controlDone(frame, need, (int) length)) {
                    addRun(in, runStart, frameStart);
                    runStart = p;
                }
                if (closeSeen) {
                    addRun(in, runStart, p);
                    runStart = p;
                    discarding = true; // a peer sends nothing after its close frame (RFC 6455 5.5.1)
                }
                runStart = boundary(in, runStart, p);
                continue;
            }
            if (headerInPlace) {
                addRun(in, runStart, frameStart);
            }
            control = new byte[total];
            if (headerInPlace) {
                in.get(frameStart, control, 0, need);
            } else {
                System.arraycopy(header, 0, control, 0, need);
            }
            controlFill = need;
            controlHeaderLength = need;
            runStart = p;
            runStart = controlComplete(in, runStart, p);
        }
        addRun(in, runStart, p);
        if (!writeInPlace) {
            in.position(limit); // else the write consumes it; onDataWritten empties the buffer either way
        }
        if (scanFrames != 0) {
            owner.dataFrames(this, scanFrames, scanPayload, scanMessages, scanLargest, readNanos);
            scanFrames = 0;
            scanLargest = 0;
            scanPayload = 0;
            scanMessages = 0;
        }
        TargetWriter.Write start = null;
        boolean any;
        synchronized (lock) {
            scanning = false;
            atBoundary = payloadLeft == 0 && headerFill == 0 && control == null;
            if (atBoundary) {
                spliceInjections();
                if (discardRequested) {
                    discarding = true;
                }
            }
            any = !pieces.isEmpty();
            if (any) {
                writePending = true; // before the write can complete on another thread
                start = writer.enqueue(new TargetWriter.Write(pieces.toArray(new ByteBuffer[0]), onDataWritten, piecesHaveClose),
                        readNanos);
            }
        }
        if (violationCode != 0) {
            int code = violationCode;
            violationCode = 0;
            owner.violation(this, code, violationReason);
        }
        if (!any) {
            return null;
        }
        return start == null ? NOTHING_TO_START : start;
    }

    /** A held control frame: when all its bytes are in, decides on it. Returns the new run start. */
    private int controlComplete(ByteBuffer in, int runStart, int p) {
        if (controlFill < control.length) {
            return runStart;
        }
        byte[] frame = control;
        control = null;
        if (controlDone(frame, controlHeaderLength, frame.length - controlHeaderLength)) {
            pieces.add(ByteBuffer.wrap(frame));
        }
        if (closeSeen) {
            discarding = true;
        }
        return boundary(in, runStart, p);
    }

    private void addRun(ByteBuffer in, int from, int to) {
        if (!discarding && from < to) {
            if (pieces.isEmpty() && from == in.position() && to == in.limit()) {
                writeInPlace = true; // all that was read goes on as it is: write the buffer itself
                pieces.add(in);
            } else {
                pieces.add(in.slice(from, to - from));
            }
        }
    }

    /** Under {@link #lock}: moves the waiting injections into the pieces being built. */
    private void spliceInjections() {
        injectionsWaiting = false;
        while (!injections.isEmpty()) {
            ByteBuffer frame = injections.poll();
            piecesHaveClose |= TargetWriter.isClose(frame);
            pieces.add(frame);
        }
    }

    /** At a frame boundary: splices in the proxy's own frames waiting for one. Returns the new run start. */
    private int boundary(ByteBuffer in, int runStart, int p) {
        if (!injectionsWaiting && !discardRequested) {
            return runStart; // the common case, without taking the lock
        }
        synchronized (lock) {
            boolean discardNow = discardRequested && !discarding;
            if (injections.isEmpty() && !discardNow) {
                return runStart;
            }
            addRun(in, runStart, p);
            spliceInjections();
            if (discardNow) {
                discarding = true;
            }
        }
        return p;
    }

    /** A whole control frame: unmasks a copy of its payload and asks the tunnel. True to forward it. */
    private boolean controlDone(byte[] frame, int headerLength, int length) {
        int opcode = frame[0] & 0x0F;
        byte[] payload = new byte[length];
        boolean masked = (frame[1] & Frames.MASK) != 0;
        int keyAt = headerLength - 4;
        for (int i = 0; i < length; i++) {
            byte b = frame[headerLength + i];
            payload[i] = masked ? (byte) (b ^ frame[keyAt + (i & 3)]) : b;
        }
        boolean forward = owner.controlFrame(this, opcode, payload) == DirectionOwner.Verdict.FORWARD && !discarding;
        if (opcode == Frames.CLOSE) {
            piecesHaveClose |= forward;
            closeSeen = true;
        }
        return forward;
    }

    /** The writer's target failed: nothing more is forwarded, and a pump waiting for its write goes on. */
    private void targetFailed(Throwable failure) {
        synchronized (lock) {
            injections.clear();
            injectionsWaiting = false;
        }
        discarding = true;
        owner.writeFailed(this, failure);
        if (writePending) {
            onDataWritten();
        }
    }

    @Override
    public String toString() {
        return sourceName + "->" + targetName;
    }
}
