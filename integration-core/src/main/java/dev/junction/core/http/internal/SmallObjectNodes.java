package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Jackson's node factory, except that parsed and created objects keep their fields in a {@link SmallObjectMap}
 * instead of a {@code LinkedHashMap}. The nodes are Jackson's own ({@code ObjectNode} takes any map), so a tree
 * behaves exactly as before: field order, equality, serialisation. Stateless and thread-safe.
 */
public final class SmallObjectNodes extends JsonNodeFactory {

    private static final long serialVersionUID = 1L;

    /** The factory the standard mappers use. */
    public static final SmallObjectNodes INSTANCE = new SmallObjectNodes();

    private SmallObjectNodes() {
        super(false);
    }

    @Override
    public ObjectNode objectNode() {
        return new ObjectNode(this, new SmallObjectMap());
    }
}
