/* Halos between MPI ranks: one message each way per neighbouring rank per step, faces in an agreed order. */
#include "mpi_halo.h"

#include <limits.h>
#include <stdlib.h>

#include "mpi_check.h"

#define HALO_TAG 14

struct link {
    int peer;
    uint64_t key_block; /* the receiving block and its face: the order on both sides */
    unsigned key_face;
    uint64_t block; /* the block packed from (send) or unpacked into (receive) */
    unsigned face;
    size_t bytes;
};

struct peer {
    int rank;
    size_t send_bytes, recv_bytes;
    uint8_t *send, *recv;
    struct link *sends, *recvs; /* into the sorted link arrays */
    size_t send_count, recv_count;
};

struct cs_mpi_halo {
    MPI_Comm comm;
    const cs_stencil *st;
    cs_problem *p;
    struct link *sends, *recvs;
    size_t send_count, recv_count;
    struct peer *peers;
    unsigned peer_count;
    MPI_Request *req; /* 2 per peer */
    uint64_t sent;
};

static int link_order(const void *a, const void *b)
{
    const struct link *x = a, *y = b;
    if (x->peer != y->peer)
        return x->peer < y->peer ? -1 : 1;
    if (x->key_block != y->key_block)
        return x->key_block < y->key_block ? -1 : 1;
    return (x->key_face > y->key_face) - (x->key_face < y->key_face);
}

/* Every face of this rank's blocks that borders another rank's block: once as a
 * send (keyed by the neighbour's side), once as a receive (keyed by ours). */
static void find_links(cs_mpi_halo *h, const cs_block_grid *g, const cs_block_plan *plan,
                       int rank)
{
    for (uint64_t i = plan->start[rank]; i < plan->start[rank + 1]; i++) {
        uint64_t b = plan->order[i];
        for (unsigned f = 0; f < 2 * g->dims; f++) {
            uint64_t nb = cs_block_neighbour(g, b, f);
            if (nb == CS_NO_BLOCK || plan->part[nb] == (unsigned)rank)
                continue;
            int peer = (int)plan->part[nb];
            h->sends[h->send_count++] = (struct link){peer, nb, cs_face_opposite(f), b, f,
                                                      h->st->face_bytes(h->p, b, f)};
            h->recvs[h->recv_count++] = (struct link){peer, b, f, b, f,
                                                      h->st->face_bytes(h->p, nb,
                                                                        cs_face_opposite(f))};
        }
    }
    qsort(h->sends, h->send_count, sizeof *h->sends, link_order);
    qsort(h->recvs, h->recv_count, sizeof *h->recvs, link_order);
}

/* One peer per distinct rank among the links (sends and receives pair up by face). */
static int group_peers(cs_mpi_halo *h)
{
    for (size_t i = 0; i < h->send_count; i++)
        if (i == 0 || h->sends[i].peer != h->sends[i - 1].peer)
            h->peer_count++;
    h->peers = calloc(h->peer_count ? h->peer_count : 1, sizeof *h->peers);
    h->req = calloc(2 * (size_t)(h->peer_count ? h->peer_count : 1), sizeof *h->req);
    if (!h->peers || !h->req)
        return -1;
    size_t s = 0, r = 0;
    for (unsigned q = 0; q < h->peer_count; q++) {
        struct peer *pe = &h->peers[q];
        pe->rank = h->sends[s].peer;
        pe->sends = &h->sends[s];
        pe->recvs = &h->recvs[r];
        for (; s < h->send_count && h->sends[s].peer == pe->rank; s++, pe->send_count++)
            pe->send_bytes += h->sends[s].bytes;
        for (; r < h->recv_count && h->recvs[r].peer == pe->rank; r++, pe->recv_count++)
            pe->recv_bytes += h->recvs[r].bytes;
        if (pe->send_bytes > INT_MAX || pe->recv_bytes > INT_MAX)
            cs_mpi_fatal("a halo of %zu bytes to rank %d is more than one MPI message carries "
                         "(more ranks, or --decomp blocks, make it smaller)", pe->send_bytes,
                         pe->rank);
        pe->send = malloc(pe->send_bytes ? pe->send_bytes : 1);
        pe->recv = malloc(pe->recv_bytes ? pe->recv_bytes : 1);
        if (!pe->send || !pe->recv)
            return -1;
    }
    return 0;
}

cs_mpi_halo *cs_mpi_halo_new(MPI_Comm comm, const cs_kernel *k, cs_problem *p,
                             const cs_block_plan *plan, int rank)
{
    cs_block_grid g;
    k->stencil->block_grid(p, &g);
    cs_mpi_halo *h = calloc(1, sizeof *h);
    if (!h)
        cs_mpi_fatal("out of memory for the halo exchange");
    h->st = k->stencil;
    h->p = p;
    cs_mpi_check(MPI_Comm_dup(comm, &h->comm), "MPI_Comm_dup");
    uint64_t mine = plan->start[rank + 1] - plan->start[rank];
    size_t most = (size_t)mine * 2 * g.dims + 1;
    h->sends = malloc(most * sizeof *h->sends);
    h->recvs = malloc(most * sizeof *h->recvs);
    if (!h->sends || !h->recvs)
        cs_mpi_fatal("out of memory for %zu halo faces", most);
    find_links(h, &g, plan, rank);
    if (group_peers(h) != 0)
        cs_mpi_fatal("out of memory for the halo buffers");
    return h;
}

void cs_mpi_halo_free(cs_mpi_halo *h)
{
    if (!h)
        return;
    for (unsigned q = 0; q < h->peer_count; q++) {
        free(h->peers[q].send);
        free(h->peers[q].recv);
    }
    MPI_Comm_free(&h->comm);
    free(h->peers);
    free(h->req);
    free(h->sends);
    free(h->recvs);
    free(h);
}

static void halo_post(void *ctx, uint64_t step)
{
    cs_mpi_halo *h = ctx;
    for (unsigned q = 0; q < h->peer_count; q++) {
        struct peer *pe = &h->peers[q];
        cs_mpi_check(MPI_Irecv(pe->recv, (int)pe->recv_bytes, MPI_BYTE, pe->rank, HALO_TAG,
                               h->comm, &h->req[2 * q]),
                     "MPI_Irecv");
    }
    for (unsigned q = 0; q < h->peer_count; q++) {
        struct peer *pe = &h->peers[q];
        size_t at = 0;
        for (size_t i = 0; i < pe->send_count; i++) {
            h->st->face_pack(h->p, pe->sends[i].block, pe->sends[i].face, step, pe->send + at);
            at += pe->sends[i].bytes;
        }
        cs_mpi_check(MPI_Isend(pe->send, (int)pe->send_bytes, MPI_BYTE, pe->rank, HALO_TAG,
                               h->comm, &h->req[2 * q + 1]),
                     "MPI_Isend");
        h->sent += pe->send_bytes;
    }
}

static void halo_finish(void *ctx, uint64_t step)
{
    cs_mpi_halo *h = ctx;
    cs_mpi_check(MPI_Waitall(2 * (int)h->peer_count, h->req, MPI_STATUSES_IGNORE), "MPI_Waitall");
    for (unsigned q = 0; q < h->peer_count; q++) {
        struct peer *pe = &h->peers[q];
        size_t at = 0;
        for (size_t i = 0; i < pe->recv_count; i++) {
            h->st->halo_unpack(h->p, pe->recvs[i].block, pe->recvs[i].face, step, pe->recv + at);
            at += pe->recvs[i].bytes;
        }
    }
}

cs_halo_exchange cs_mpi_halo_exchange(cs_mpi_halo *h)
{
    return (cs_halo_exchange){halo_post, halo_finish, h};
}

uint64_t cs_mpi_halo_bytes_sent(const cs_mpi_halo *h)
{
    return h->sent;
}

unsigned cs_mpi_halo_peers(const cs_mpi_halo *h)
{
    return h->peer_count;
}
