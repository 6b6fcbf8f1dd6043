import { App } from "cdktf";
import { NetworkAndLoadBalancerExample } from "./stack";

// cdktf synth in this folder: cdktf.json runs this file.
const app = new App();
new NetworkAndLoadBalancerExample(app, "network-and-load-balancer");
app.synth();
