package dev.junction.provider.stripe;

/**
 * Made-up Stripe API keys for tests: the right shape for the provider's key check, never a real credential. Built from
 * parts so that no source file holds a string a secret scanner takes for a live key.
 */
final class FakeKeys {

    private FakeKeys() {
    }

    /** A live-mode secret key shape: prefix sk, mode live, then FAKE and the suffix. */
    static String live(String suffix) {
        return "sk" + "_live_" + "FAKE" + suffix;
    }

    /** A live-mode restricted key shape: prefix rk, mode live, then FAKE and the suffix. */
    static String restrictedLive(String suffix) {
        return "rk" + "_live_" + "FAKE" + suffix;
    }
}
