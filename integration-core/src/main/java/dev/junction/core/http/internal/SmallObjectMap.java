package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of a parsed JSON object, in their order, in two arrays searched linearly: identity first (Jackson
 * interns the field names it parses, and code looks fields up by literal, so a lookup usually ends at the first
 * comparison of references), then {@code equals}. Measured on a cold JVM's bulk sync (interleaved pairs against
 * Jackson's {@link LinkedHashMap}s), the syncing JVM spent less CPU, mostly in the compiler: this code is small and
 * used only by trees, whereas {@code LinkedHashMap}'s is shared with every map in the JVM and was deoptimised and
 * recompiled as other callers' maps reached it. Warm, the two parse at the same speed. Past {@value #LINEAR_LIMIT}
 * fields it moves into a {@code LinkedHashMap}, so large objects keep constant-time lookups. Null keys and values are
 * allowed, as in {@code LinkedHashMap}. Not thread-safe, as {@code LinkedHashMap} is not.
 */
final class SmallObjectMap extends AbstractMap<String, JsonNode> {

    static final int LINEAR_LIMIT = 32;

    private String[] keys = new String[8];
    private JsonNode[] values = new JsonNode[8];
    private int size;
    private int modifications;
    /** Every field, once there are more than {@link #LINEAR_LIMIT}; then the arrays are no longer used. */
    private LinkedHashMap<String, JsonNode> large;

    private int indexOf(Object key) {
        String[] keys = this.keys;
        int size = this.size;
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        if (key != null) {
            for (int i = 0; i < size; i++) {
                if (key.equals(keys[i])) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    public JsonNode get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int index = indexOf(key);
        return index < 0 ? null : values[index];
    }

    @Override
    public boolean containsKey(Object key) {
        return large != null ? large.containsKey(key) : indexOf(key) >= 0;
    }

    @Override
    public JsonNode put(String key, JsonNode value) {
        if (large != null) {
            modifications++;
            return large.put(key, value);
        }
        int index = indexOf(key);
        if (index >= 0) {
            JsonNode old = values[index];
            values[index] = value;
            return old;
        }
        modifications++;
        if (size == LINEAR_LIMIT) {
            large = new LinkedHashMap<>(LINEAR_LIMIT * 4);
            for (int i = 0; i < size; i++) {
                large.put(keys[i], values[i]);
            }
            keys = null;
            values = null;
            size = 0;
            large.put(key, value);
            return null;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        return null;
    }

    @Override
    public JsonNode remove(Object key) {
        if (large != null) {
            modifications++;
            return large.remove(key);
        }
        int index = indexOf(key);
        if (index < 0) {
            return null;
        }
        JsonNode old = values[index];
        removeAt(index);
        return old;
    }

    private void removeAt(int index) {
        modifications++;
        int moved = size - index - 1;
        System.arraycopy(keys, index + 1, keys, index, moved);
        System.arraycopy(values, index + 1, values, index, moved);
        size--;
        keys[size] = null;
        values[size] = null;
    }

    @Override
    public int size() {
        return large != null ? large.size() : size;
    }

    @Override
    public void clear() {
        modifications++;
        if (large != null) {
            large = null;
            keys = new String[8];
            values = new JsonNode[8];
        } else {
            Arrays.fill(keys, 0, size, null);
            Arrays.fill(values, 0, size, null);
        }
        size = 0;
    }

    @Override
    public Set<Entry<String, JsonNode>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, JsonNode>> iterator() {
                return large != null ? large.entrySet().iterator() : new Entries();
            }

            @Override
            public int size() {
                return SmallObjectMap.this.size();
            }
        };
    }

    /** The fields in order; {@code remove} is supported, and changes made other than through it are detected. */
    private final class Entries implements Iterator<Entry<String, JsonNode>> {
        private int next;
        private int current = -1;
        private int expected = modifications;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Entry<String, JsonNode> next() {
            checkUnmodified();
            if (next >= size) {
                throw new NoSuchElementException();
            }
            current = next++;
            return new Field(keys[current], values[current]);
        }

        @Override
        public void remove() {
            if (current < 0) {
                throw new IllegalStateException();
            }
            checkUnmodified();
            removeAt(current);
            next = current;
            current = -1;
            expected = modifications;
        }

        private void checkUnmodified() {
            if (expected != modifications) { // moving into the large map counts as one too
                throw new ConcurrentModificationException();
            }
        }
    }

    /** One field; {@code setValue} writes through to the map (equality, hash and text are the JDK's entry's). */
    private final class Field extends AbstractMap.SimpleEntry<String, JsonNode> {
        private static final long serialVersionUID = 1L;

        Field(String key, JsonNode value) {
            super(key, value);
        }

        @Override
        public JsonNode setValue(JsonNode value) {
            put(getKey(), value);
            return super.setValue(value);
        }
    }
}
