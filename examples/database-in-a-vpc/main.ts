import { App } from "cdktf";
import { DatabaseInAVpcExample } from "./stack";

// cdktf synth in this folder: cdktf.json runs this file. The VPC comes in as variables (terraform.tfvars, -var).
const app = new App();
new DatabaseInAVpcExample(app, "database-in-a-vpc");
app.synth();
