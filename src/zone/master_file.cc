#include "zone/master_file.h"
