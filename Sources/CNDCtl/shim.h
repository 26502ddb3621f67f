#ifndef DAXKIT_CNDCTL_SHIM_H
#define DAXKIT_CNDCTL_SHIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ndctl/libndctl.h>
#include <daxctl/libdaxctl.h>
#endif
