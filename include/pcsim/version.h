/* pcsim: the library's and the program's version (semantic versioning),
 * as reports print it. */
#ifndef PCSIM_VERSION_H
#define PCSIM_VERSION_H

#define PCS_VERSION "0.1.0"

#endif
