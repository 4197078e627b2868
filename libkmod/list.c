// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct kmod_list: the list type of kmod's interface. The caller holds the head; the
 * list is circular so that the last entry is one step back from the head, and the
 * walking functions stop at the ends as if it were not.
 */
#include <stdlib.h>

#include "libkmod-internal.h"

static struct kmod_list *node_new(const void *data)
{
	struct kmod_list *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	n->data = (void *)data;
	n->next = n->prev = n;
	return n;
}

/* Put @n just before @at (at the tail when @at is the head). */
static void link_before(struct kmod_list *at, struct kmod_list *n)
{
	n->next = at;
	n->prev = at->prev;
	at->prev->next = n;
	at->prev = n;
}

struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data)
{
	struct kmod_list *n = node_new(data);

	if (!n)
		return NULL;
	if (!list)
		return n;
	link_before(list, n);
	return list;
}

struct kmod_list *kmod_list_prepend(struct kmod_list *list, const void *data)
{
	struct kmod_list *n = node_new(data);

	if (!n)
		return NULL;
	if (list)
		link_before(list, n);
	return n;
}

struct kmod_list *kmod_list_remove(struct kmod_list *list, struct kmod_list *node)
{
	struct kmod_list *head = list;

	if (!list || !node)
		return list;
	if (node->next == node) {
		head = NULL;
	} else {
		node->prev->next = node->next;
		node->next->prev = node->prev;
		if (node == list)
			head = node->next;
	}
	free(node);
	return head;
}

struct kmod_list *kmod_list_append_list(struct kmod_list *first, struct kmod_list *second)
{
	struct kmod_list *first_last, *second_last;

	if (!first)
		return second;
	if (!second)
		return first;
	first_last = first->prev;
	second_last = second->prev;
	first_last->next = second;
	second->prev = first_last;
	second_last->next = first;
	first->prev = second_last;
	return first;
}

void kmod_list_release(struct kmod_list *list, void (*free_data)(void *data))
{
	while (list) {
		if (free_data)
			free_data(list->data);
		list = kmod_list_remove(list, list);
	}
}

KMOD_EXPORT struct kmod_list *kmod_list_next(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr->next == list)
		return NULL;
	return curr->next;
}

KMOD_EXPORT struct kmod_list *kmod_list_prev(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr == list)
		return NULL;
	return curr->prev;
}

KMOD_EXPORT struct kmod_list *kmod_list_last(const struct kmod_list *list)
{
	return list ? list->prev : NULL;
}
