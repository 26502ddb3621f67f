#ifndef DAXKIT_CUDEV_SHIM_H
#define DAXKIT_CUDEV_SHIM_H
#include <libudev.h>
#endif
