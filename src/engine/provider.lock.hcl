# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/terraform-provider-openstack/openstack" {
  version     = "3.4.0"
  constraints = "3.4.0"
  hashes = [
    "h1:sNjsu6LSypFhm8OsN1LOdmTpxHKQGiEcsSfwywLnZbM=",
  ]
}

provider "registry.terraform.io/terraform-provider-openstack/openstack" {
  version     = "3.4.0"
  constraints = "3.4.0"
  hashes = [
    "h1:sNjsu6LSypFhm8OsN1LOdmTpxHKQGiEcsSfwywLnZbM=",
  ]
}
