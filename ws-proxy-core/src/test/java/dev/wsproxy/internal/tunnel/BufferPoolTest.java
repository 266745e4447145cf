package dev.wsproxy.internal.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void smallAndLargeBuffersComeBackEmptyAndAreReused() {
        BufferPool pool = new BufferPool(64 * 1024, 2);
        ByteBuffer small = pool.acquire(false, false);
        ByteBuffer large = pool.acquire(false, true);
        assertEquals(4 * 1024, small.capacity());
        assertEquals(64 * 1024, large.capacity());
        assertTrue(small.isDirect() && large.isDirect());
        assertTrue(pool.isSmall(small));
        assertFalse(pool.isSmall(large));

        small.limit(10).position(3);
        pool.release(small);
        pool.release(large);
        ByteBuffer again = pool.acquire(false, false);
        assertSame(small, again);
        assertEquals(0, again.position());
        assertEquals(0, again.limit());
        assertSame(large, pool.acquire(false, true));
        ByteBuffer heap = pool.acquire(true, false);
        assertFalse(heap.isDirect());
        assertNotSame(small, heap);
    }

    @Test
    void keepsAtMostItsLimitOfFreeBuffersPerSize() {
        BufferPool pool = new BufferPool(64 * 1024, 2);
        List<ByteBuffer> large = new ArrayList<>();
        List<ByteBuffer> small = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            large.add(pool.acquire(false, true));
        }
        for (int i = 0; i < 2 * BufferPool.SMALL_PER_LARGE + 1; i++) {
            small.add(pool.acquire(false, false));
        }
        large.forEach(pool::release);
        small.forEach(pool::release);
        // the last of each released is dropped: a fresh buffer, not one of those
        assertSame(large.get(1), pool.acquire(false, true));
        assertSame(large.get(0), pool.acquire(false, true));
        ByteBuffer fresh = pool.acquire(false, true);
        assertTrue(large.stream().noneMatch(b -> b == fresh));
        for (int i = 2 * BufferPool.SMALL_PER_LARGE - 1; i >= 0; i--) {
            assertSame(small.get(i), pool.acquire(false, false));
        }
        ByteBuffer freshSmall = pool.acquire(false, false);
        assertTrue(small.stream().noneMatch(b -> b == freshSmall));
    }
}
