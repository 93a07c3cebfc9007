/* SPDX-License-Identifier: GPL-2.0 */
/* Stable names for the uapi enums, used as JSON keys and in text output. */
#ifndef KNETMON_NAMES_H
#define KNETMON_NAMES_H

const char *feature_name(unsigned int bit);
const char *counter_name(unsigned int attr);

#endif
