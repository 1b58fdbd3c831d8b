"""NUTS kernel: the flattened tree against a recursive transcription of Stan's base_nuts."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from credo.inference import integrators, metrics, nuts  # noqa: E402


class _StanNUTS:
    """Stan's ``base_nuts::transition`` / ``build_tree`` (recursive), numpy, diagonal metric.

    Only the trajectory's shape is compared (leapfrog count, depth, divergence), which does
    not depend on the multinomial draws, so those are left out.
    """

    def __init__(self, grad_fn, logdensity_fn, step_size, inv_mass, max_depth):
        self.grad_fn, self.logdensity_fn = grad_fn, logdensity_fn
        self.eps, self.inv_mass, self.max_depth = step_size, inv_mass, max_depth

    def hamiltonian(self, z):
        q, p = z
        return -self.logdensity_fn(q) + 0.5 * np.dot(p, self.inv_mass * p)

    def evolve(self, z, eps):
        q, p = z
        p = p + 0.5 * eps * self.grad_fn(q)
        q = q + eps * self.inv_mass * p
        p = p + 0.5 * eps * self.grad_fn(q)
        return (q, p)

    @staticmethod
    def criterion(ps_minus, ps_plus, rho):
        return np.dot(ps_plus, rho) > 0 and np.dot(ps_minus, rho) > 0

    def build_tree(self, depth, H0, sign):
        """Returns (valid, rho, p_beg, p_end) and advances self.z."""
        if depth == 0:
            self.z = self.evolve(self.z, sign * self.eps)
            self.n_leapfrog += 1
            h = self.hamiltonian(self.z)
            if np.isnan(h):
                h = np.inf
            if h - H0 > 1000.0:
                self.divergent = True
            p = self.z[1]
            return not self.divergent, p.copy(), p.copy(), p.copy()
        valid, rho_init, p_beg, p_init_end = self.build_tree(depth - 1, H0, sign)
        if not valid:
            return False, None, None, None
        valid, rho_final, p_final_beg, p_end = self.build_tree(depth - 1, H0, sign)
        if not valid:
            return False, None, None, None
        rho = rho_init + rho_final
        m = self.inv_mass
        ok = self.criterion(m * p_beg, m * p_end, rho)
        ok &= self.criterion(m * p_beg, m * p_final_beg, rho_init + p_final_beg)
        ok &= self.criterion(m * p_init_end, m * p_end, rho_final + p_init_end)
        return ok, rho, p_beg, p_end

    def transition(self, q, p, forward):
        self.divergent = False
        self.n_leapfrog = 0
        H0 = self.hamiltonian((q, p))
        z_fwd = z_bck = (q, p)
        p_fwd_fwd = p_fwd_bck = p_bck_fwd = p_bck_bck = p
        rho = p.copy()
        depth = 0
        m = self.inv_mass
        while depth < self.max_depth:
            if forward[depth]:
                self.z = z_fwd
                rho_bck = rho
                p_bck_fwd = p_fwd_fwd
                valid, rho_fwd, p_fwd_bck, p_fwd_fwd = self.build_tree(depth, H0, 1.0)
                z_fwd = self.z
            else:
                self.z = z_bck
                rho_fwd = rho
                p_fwd_bck = p_bck_bck
                valid, rho_bck, p_bck_fwd, p_bck_bck = self.build_tree(depth, H0, -1.0)
                z_bck = self.z
            if not valid:
                break
            depth += 1
            rho = rho_bck + rho_fwd
            ok = self.criterion(m * p_bck_bck, m * p_fwd_fwd, rho)
            ok &= self.criterion(m * p_bck_bck, m * p_fwd_bck, rho_bck + p_fwd_bck)
            ok &= self.criterion(m * p_bck_fwd, m * p_fwd_fwd, rho_fwd + p_bck_fwd)
            if not ok:
                break
        return self.n_leapfrog, depth, self.divergent


def _funnel(x):
    v = x[0]
    return -0.5 * v**2 / 9.0 - 0.5 * jnp.sum(x[1:] ** 2) * jnp.exp(-v) - 0.5 * (x.shape[0] - 1) * v


def _banana(x):
    return -0.5 * x[0] ** 2 / 4.0 - 0.5 * (x[1] - 0.5 * x[0] ** 2) ** 2 - 0.5 * jnp.sum(x[2:] ** 2)


def _gauss(x):
    scales = jnp.linspace(0.5, 3.0, x.shape[0])
    return -0.5 * jnp.sum((x / scales) ** 2)


@pytest.mark.parametrize("target", [_gauss, _banana, _funnel])
def test_tree_matches_recursive_stan(target):
    dim, max_depth = 4, 8
    rng = np.random.default_rng(1)
    grad = jax.jit(jax.grad(target))
    logdensity = jax.jit(target)
    vg = jax.value_and_grad(target)

    @jax.jit
    def run(key, position, step_size, inv_mass):
        state = nuts.HMCState(position, *vg(position))
        _, info = nuts.transition(key, state, vg, step_size, inv_mass, max_depth)
        normals, direction_bits, _ = nuts._random(key, dim, position.dtype)
        momentum = metrics.momentum_from_normal(normals, inv_mass)
        return info, momentum, direction_bits

    seen_depths = set()
    seen_divergent = False
    for i in range(60):
        key = jax.random.PRNGKey(i)
        position = rng.normal(size=dim)
        step_size = float(np.exp(rng.uniform(np.log(0.05), np.log(3.0))))
        inv_mass = rng.uniform(0.5, 2.0, size=dim)
        info, momentum, bits = run(key, jnp.asarray(position), step_size, jnp.asarray(inv_mass))
        forward = [bool((int(bits) >> d) & 1) for d in range(max_depth)]
        ref = _StanNUTS(
            lambda q: np.asarray(grad(jnp.asarray(q))),
            lambda q: float(logdensity(jnp.asarray(q))),
            step_size,
            inv_mass,
            max_depth,
        )
        n, depth, divergent = ref.transition(position, np.asarray(momentum), forward)
        assert (int(info.n_steps), int(info.tree_depth), bool(info.diverging)) == (
            n,
            depth,
            divergent,
        ), f"case {i}"
        seen_depths.add(depth)
        seen_divergent |= divergent
    # The cases exercise short and long trees.
    assert len(seen_depths) >= 3


def test_leapfrog_conserves_energy_and_is_reversible():
    dim = 5
    inv_mass = jnp.linspace(0.5, 2.0, dim)
    vg = jax.value_and_grad(_banana)
    q = jnp.linspace(-1.0, 1.0, dim)
    p = jnp.linspace(0.3, -0.7, dim)
    state = integrators.IntegratorState(q, p, *vg(q))

    def energy(s):
        return -s.logdensity + metrics.kinetic_energy(s.momentum, inv_mass)

    def velocity(m):
        return metrics.velocity(m, inv_mass)

    @jax.jit
    def integrate(s, step_size, n):
        return jax.lax.fori_loop(
            0, n, lambda i, s: integrators.velocity_verlet(s, step_size, vg, velocity), s
        )

    errors = []
    for step_size in (1e-2, 1e-3):
        end = integrate(state, step_size, int(round(0.5 / step_size)))
        errors.append(abs(float(energy(end) - energy(state))))
    # Second-order integrator: the energy error shrinks like step_size ** 2.
    assert errors[1] < 1e-5
    assert errors[0] / errors[1] == pytest.approx(100.0, rel=0.2)

    end = integrate(state, 0.1, 20)
    back = integrate(end._replace(momentum=-end.momentum), 0.1, 20)
    np.testing.assert_allclose(back.position, q, atol=1e-10)
    np.testing.assert_allclose(-back.momentum, p, atol=1e-10)


def test_diverging_on_cliff():
    # Log-density falls off a cliff at x = 1: any trajectory crossing it diverges.
    def cliff(x):
        return -0.5 * jnp.sum(x**2) - 1e6 * jnp.sum(jnp.maximum(x - 1.0, 0.0) ** 2)

    state = nuts.init(jnp.full(2, 0.9), cliff)
    keys = jax.random.split(jax.random.PRNGKey(0), 50)

    @jax.jit
    def run(keys):
        return jax.lax.map(lambda k: nuts.step(k, state, cliff, 0.5, jnp.ones(2))[1], keys)

    info = run(keys)
    assert bool(jnp.any(info.diverging))
    # A divergent leaf has an energy error above the threshold.
    assert bool(jnp.all(jnp.where(info.diverging, info.max_energy_error > 1000.0, True)))

    # A huge step size diverges on a narrow Gaussian.
    narrow = nuts.init(jnp.ones(3), lambda x: -0.5 * jnp.sum((x / 1e-3) ** 2))
    _, info = jax.jit(
        lambda k: nuts.step(k, narrow, lambda x: -0.5 * jnp.sum((x / 1e-3) ** 2), 10.0, jnp.ones(3))
    )(jax.random.PRNGKey(1))
    assert bool(info.diverging)
    assert int(info.tree_depth) == 0 and int(info.n_steps) == 1


def test_stats_are_consistent():
    dim = 3
    state = nuts.init(jnp.zeros(dim), _gauss)

    @jax.jit
    def run(key):
        def body(s, k):
            s, info = nuts.step(k, s, _gauss, 0.7, jnp.ones(dim), 6)
            return s, info

        return jax.lax.scan(body, state, jax.random.split(key, 200))[1]

    info = run(jax.random.PRNGKey(3))
    depth = np.asarray(info.tree_depth)
    n = np.asarray(info.n_steps)
    assert depth.max() <= 6
    # Without divergences the trajectory has 2**depth - 1 leapfrog steps when the last
    # doubling was merged, and up to 2**(depth + 1) - 1 when a subtree was cut short.
    assert np.all(n >= 2**depth - 1)
    assert np.all(n <= 2 ** (depth + 1) - 1)
    acc = np.asarray(info.acceptance_rate)
    assert np.all((acc >= 0) & (acc <= 1))
    largest = np.abs(np.asarray(info.max_energy_error))
    assert np.all(largest >= np.abs(np.asarray(info.energy_error)) - 1e-12)


def test_random_words_look_uniform_and_independent():
    from scipy import stats

    keys = np.random.default_rng(5).integers(0, 2**32, size=(64, 2), dtype=np.uint32)
    index = jnp.arange(4096, dtype=jnp.uint32)
    words = np.asarray(jax.vmap(lambda k: nuts.random_words(k[0], k[1], index))(jnp.asarray(keys)))
    u = (words.astype(np.float64) + 0.5) / 2**32
    # Uniform marginals (all streams together), each byte of the word too.
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3
    for shift in (0, 8, 16, 24):
        counts = np.bincount(((words >> shift) & 0xFF).ravel(), minlength=256)
        assert stats.chisquare(counts).pvalue > 1e-3
    # No correlation between neighbouring positions, nor between streams whose keys differ
    # in one bit.
    assert abs(np.corrcoef(u[:, :-1].ravel(), u[:, 1:].ravel())[0, 1]) < 0.01
    flipped = np.asarray(
        nuts.random_words(jnp.uint32(keys[0, 0] ^ 1), jnp.uint32(keys[0, 1]), index)
    )
    assert abs(np.corrcoef(u[0], (flipped + 0.5) / 2**32)[0, 1]) < 0.05

    # The momentum normals: moments of N(0, 1).
    normals = jax.vmap(lambda k: nuts._random(k, 64, jnp.float64)[0])(jnp.asarray(keys))
    z = np.asarray(normals).ravel()
    assert stats.kstest(z, "norm").pvalue > 1e-3
