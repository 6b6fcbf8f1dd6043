import { setupJest } from "cdktf/lib/testing/adapters/jest";

// Registers cdktf's matchers (toHaveResource, toHaveResourceWithProperties ...).
setupJest();

// cdktf records a full stack trace for every token it creates, only to quote it
// in a token's error message. Under Jest every one of those traces is mapped
// through source maps frame by frame, seconds of CPU across the suite for
// nothing the tests look at: the synthesized output does not depend on it.
jest.mock("cdktf/lib/tokens/private/stack-trace", () => ({ captureStackTrace: (): string[] => [] }));
