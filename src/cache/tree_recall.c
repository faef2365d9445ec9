/* Remembered paths, one per root, for resuming walks; see tree.h.
 *
 * A Claude-Code prompt has about 1,600 bounds and re-sends its session's
 * previous prompt plus a few: walking it from the root compares all of
 * them, which was most of a trace trial's time (docs/performance.md). The
 * memory of a root is the path its last expected access left; the next
 * access that shares units with that prompt starts there.
 *
 * Paths are handed over, not copied: pcs_tree_remember swaps the tree's
 * path buffer with the memory's, and pcs_tree_recall swaps it back, so
 * keeping a path of a thousand steps costs nothing per request. */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "tree.h"

/* Room for one more memory. */
static int memories_reserve(struct tree_recall *recall)
{
    if (recall->memory_count < recall->memory_cap)
        return 0;
    size_t cap = grow_capacity(recall->memory_cap, recall->memory_count + 1, 16, sizeof *recall->memories);
    struct tree_memory *memories = cap ? realloc(recall->memories, cap * sizeof *memories) : NULL;
    if (!memories)
        return -1;
    recall->memories = memories;
    recall->memory_cap = cap;
    return 0;
}

/* root's memory, made (with a path buffer of cap steps) if it has none;
 * NULL when there is no memory for it. */
static struct tree_memory *memory_for(struct tree_recall *recall, uint32_t root, size_t cap)
{
    uint32_t index = pcs_hash_find(&recall->memory_of, root, 0);
    if (index != PCS_HASH_EMPTY)
        return &recall->memories[index];
    if (recall->memory_count >= PCS_HASH_EMPTY || memories_reserve(recall) != 0)
        return NULL;
    struct tree_memory *memory = &recall->memories[recall->memory_count];
    memset(memory, 0, sizeof *memory);
    memory->steps = malloc(cap * sizeof *memory->steps);
    if (!memory->steps)
        return NULL;
    memory->cap = cap;
    if (pcs_hash_put(&recall->memory_of, root, 0, (uint32_t)recall->memory_count) != PCS_OK) {
        free(memory->steps);
        return NULL;
    }
    recall->memory_count++;
    return memory;
}

/* Swaps the tree's path buffer with the memory's (both have room for at
 * least one step). */
static void swap_paths(struct tree *tree, struct tree_memory *memory)
{
    struct tree_step *steps = memory->steps;
    size_t cap = memory->cap;
    memory->steps = tree->path;
    memory->cap = tree->path_cap;
    tree->path = steps;
    tree->path_cap = cap;
}

void pcs_tree_expect(struct tree *tree, const struct tree_expect *expect)
{
    if (expect)
        tree->recall.expect = *expect;
    else
        memset(&tree->recall.expect, 0, sizeof tree->recall.expect);
    tree->recall.matched_prompt = 0; /* only a match after this may be remembered */
}

int pcs_tree_recall(struct tree *tree, uint32_t root, uint64_t count, uint64_t *shared)
{
    struct tree_recall *recall = &tree->recall;
    struct tree_expect expect = recall->expect;
    memset(&recall->expect, 0, sizeof recall->expect);
    recall->matched_prompt = expect.prompt_id;
    recall->matched_epoch = recall->epoch;
    recall->matched_root = root;
    if (recall->memory_count == 0)
        return 0;
    uint32_t index = pcs_hash_find(&recall->memory_of, root, 0);
    if (index == PCS_HASH_EMPTY)
        return 0;
    struct tree_memory *memory = &recall->memories[index];
    uint64_t remembered = memory->prompt_id;
    /* Forgotten whatever comes next: this access reshapes the root. */
    memory->prompt_id = 0;
    if (remembered == 0 || memory->epoch != recall->epoch || memory->len == 0)
        return 0;
    uint64_t want;
    if (expect.prompt_id != 0 && remembered == expect.prompt_id)
        want = count; /* the same prompt again (a redo) */
    else if (expect.prefix_of != 0 && remembered == expect.prefix_of)
        want = expect.prefix_shared;
    else
        return 0;
    const struct tree_step *last = &memory->steps[memory->len - 1];
    uint64_t depth = last->start_depth + last->matched;
    if (want > depth)
        want = depth;
    if (want > count)
        want = count;
    if (want == 0)
        return 0;
    swap_paths(tree, memory);
    tree->path_len = memory->len;
    memory->len = 0;
    *shared = want;
    recall->resumed++;
    return 1;
}

void pcs_tree_remember(struct tree *tree)
{
    struct tree_recall *recall = &tree->recall;
    uint64_t prompt = recall->matched_prompt;
    recall->matched_prompt = 0;
    if (prompt == 0 || recall->matched_epoch != recall->epoch || tree->path_len == 0)
        return;
    struct tree_memory *memory = memory_for(recall, recall->matched_root, tree->path_cap);
    if (!memory)
        return; /* no memory: the next access walks from the root */
    swap_paths(tree, memory);
    memory->len = tree->path_len;
    memory->prompt_id = prompt;
    memory->epoch = recall->epoch;
    tree->path_len = 0;
}

void pcs_tree_forget_all(struct tree *tree)
{
    tree->recall.epoch++;
}

void pcs_tree_recall_release(struct tree_recall *recall)
{
    for (size_t i = 0; i < recall->memory_count; i++)
        free(recall->memories[i].steps);
    free(recall->memories);
    pcs_hash_release(&recall->memory_of);
    memset(recall, 0, sizeof *recall);
}
