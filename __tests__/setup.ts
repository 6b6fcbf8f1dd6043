import { setupJest } from "cdktf/lib/testing/adapters/jest";

// Registers cdktf's matchers (toHaveResource, toHaveResourceWithProperties ...).
setupJest();
