/* One rank's exchanges (both builds; see dist.h): the words stay where
 * they are, copied, as the caller frees what it gets. */
#include <stdlib.h>
#include <string.h>

#include "dist/dist.h"

enum pcs_status pcs_dist_copy_words(const uint64_t *words, size_t count, uint64_t **copy, struct pcs_error *err)
{
    *copy = NULL;
    if (count == 0)
        return PCS_OK;
    if (!(*copy = malloc(count * sizeof **copy)))
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    memcpy(*copy, words, count * sizeof **copy);
    return PCS_OK;
}
