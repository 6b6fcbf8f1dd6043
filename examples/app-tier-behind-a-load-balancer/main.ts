import { App } from "cdktf";
import { AppTierBehindALoadBalancerExample } from "./stack";

// cdktf synth in this folder: cdktf.json runs this file.
const app = new App();
new AppTierBehindALoadBalancerExample(app, "app-tier-behind-a-load-balancer");
app.synth();
