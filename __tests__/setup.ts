import { setupJest } from "cdktf/lib/testing/adapters/jest";

setupJest();

// Terraform and the cdktf CLI run by tests call no HashiCorp checkpoint service.
process.env.CHECKPOINT_DISABLE = "1";
