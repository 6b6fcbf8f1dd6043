import { App } from "cdktf";
import { MonitoringOnItsOwnExample } from "./stack";

// cdktf synth in this folder: cdktf.json runs this file.
const app = new App();
new MonitoringOnItsOwnExample(app, "monitoring-on-its-own");
app.synth();
