package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Jackson's node factory, except that parsed and created objects keep their fields in a {@link SmallObjectMap}
 * instead of a {@code LinkedHashMap}. The nodes are Jackson's own ({@code ObjectNode} takes any map), so a tree
 * behaves exactly as before: field order, equality, serialisation. Stateless and thread-safe.
 */
public final class SmallObjectNodes extends JsonNodeFactory {

    private static final long serialVersionUID = 1L;

    /** The factory the standard mappers use. */
    public static final SmallObjectNodes INSTANCE = new SmallObjectNodes();

    /*
     * Every kind of node is initialised with the factory, before the first tree is parsed. HotSpot's compiler treats
     * a method that only one initialised class implements as final (class hierarchy analysis), and throws away every
     * compiled method that relied on it once a second implementation is initialised. A node kind first met deep into
     * a sync did exactly that: the first MissingNode, returned when the last page of a 200,000-contact sync had no
     * next-page link, discarded the compiled Clio transformer (HotSpot's compilation log: dependency_failed,
     * witness MissingNode), and C2 compiled it again. A long id or a decimal first seen late would do the same.
     */
    static {
        MissingNode.getInstance();
        NullNode.getInstance();
        BooleanNode.getTrue();
        TextNode.valueOf("");
        ShortNode.valueOf((short) 0);
        IntNode.valueOf(0);
        LongNode.valueOf(0);
        BigIntegerNode.valueOf(BigInteger.ZERO);
        FloatNode.valueOf(0);
        DoubleNode.valueOf(0);
        DecimalNode.valueOf(BigDecimal.ZERO);
        BinaryNode.valueOf(new byte[0]);
        new POJONode(null).isPojo();
    }

    private SmallObjectNodes() {
        super(false);
    }

    @Override
    public ObjectNode objectNode() {
        return new ObjectNode(this, new SmallObjectMap());
    }
}
