package dev.junction.core.model;

/** The kinds of unified record, each with the Java type that holds it. */
public enum UnifiedType {
    CONTACT(Contact.class),
    USER(User.class),
    ENGAGEMENT(Engagement.class),
    TASK(Task.class),
    TIME_ENTRY(TimeEntry.class),
    EXPENSE(Expense.class),
    APPOINTMENT(Appointment.class),
    INVOICE(Invoice.class),
    CUSTOM_FIELD(CustomField.class),
    SUBSCRIPTION(Subscription.class),
    PAYMENT(Payment.class),
    CONVERSATION(Conversation.class),
    MESSAGE(Message.class);

    private final Class<? extends UnifiedRecord> javaType;

    UnifiedType(Class<? extends UnifiedRecord> javaType) {
        this.javaType = javaType;
    }

    public Class<? extends UnifiedRecord> javaType() {
        return javaType;
    }
}
