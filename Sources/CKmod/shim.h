#ifndef DAXKIT_CKMOD_SHIM_H
#define DAXKIT_CKMOD_SHIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libkmod.h>
#endif
