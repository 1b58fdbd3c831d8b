"""Ordinary differential equations in models: ``pm.ode.DifferentialEquation``.

The solution is computed by diffrax (an adaptive Runge-Kutta solver by default) inside the
compiled log-density, so it is jitted and vmapped over chains with the rest of the model.
diffrax is imported when the first ODE is built, not with credo.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.errors import ShapeError
from credo.model.tensor import TensorVariable, apply, as_tensor, is_node

__all__ = ["DifferentialEquation"]

# Up to this many sensitivities (n_states + n_theta), gradients come from forward-mode
# sensitivities; above it, from reverse mode (checkpointed backpropagation through the
# solver). Lotka-Volterra (2 states, 4 parameters) samples 1.5x faster forward, compiling in
# about the same time (bench/ODE.md).
FORWARD_MODE_MAX = 16

_DEFAULT_RTOL = 1e-6
_DEFAULT_ATOL = 1e-6
_DEFAULT_MAX_STEPS = 4096


def _diffrax() -> Any:
    import diffrax

    return diffrax


def _float_dtype() -> Any:
    return jnp.result_type(float)


class DifferentialEquation:
    r"""An ordinary differential equation :math:`dy/dt = f(y, t, p)`, :math:`y(t_0) = y_0`.

    Calling the instance with initial values and parameters gives the solution at ``times``
    as a lazy tensor of shape ``(len(times), n_states)`` (also when ``n_states == 1``),
    usable in an ``observed`` likelihood, a ``Deterministic`` or predictive sampling.

    Parameters
    ----------
    func : callable
        ``func(y, t, p)`` returns dy/dt: a list of ``n_states`` scalars, or an array of
        shape ``(n_states,)`` (a scalar when ``n_states == 1``). ``y`` has shape
        ``(n_states,)``, ``t`` is a scalar and ``p`` has shape ``(n_theta,)``; they are JAX
        arrays, so write it with ``credo.math`` or ``jax.numpy`` functions.
    times : array
        Times at which the solution is reported, in increasing order, none before ``t0``.
    n_states : int
        Number of states (1 for a scalar equation).
    n_theta : int
        Number of parameters ``p`` (0 for none).
    t0 : float
        Time of the initial condition ``y0``.
    solver : diffrax.AbstractSolver, optional
        Default ``diffrax.Tsit5()`` (explicit, adaptive). For a stiff system pass an
        implicit one, e.g. ``diffrax.Kvaerno5()``.
    stepsize_controller : diffrax.AbstractStepSizeController, optional
        Default ``diffrax.PIDController(rtol=rtol, atol=atol)``. With
        ``diffrax.ConstantStepSize()`` give ``dt0``.
    rtol, atol : float, optional
        Tolerances of the default step-size controller (default 1e-6 each; with Tsit5 these
        reproduce the Lotka-Volterra posterior of Stan's RK45 reference).
    dt0 : float, optional
        First step; by default diffrax chooses it.
    max_steps : int
        Most solver steps for one solve (default 4096). A solve that needs more, or fails
        otherwise, gives NaN states and so a log-density of ``-inf``: the sampler rejects
        that proposal instead of stopping or spending unbounded time.
    adjoint : diffrax.AbstractAdjoint, optional
        How gradients are computed. ``diffrax.ForwardMode()`` propagates the
        ``n_states + n_theta`` sensitivities alongside the solution (fast for small
        systems; also gives Hessians); ``diffrax.RecursiveCheckpointAdjoint()`` or
        ``diffrax.BacksolveAdjoint()`` backpropagate through, or backwards along, the
        solve. Default: forward mode up to 16 sensitivities, else
        ``RecursiveCheckpointAdjoint()``.

    Examples
    --------
    .. code-block:: python

        def odefunc(y, t, p):
            # logistic growth
            return p[0] * y[0] * (1 - y[0])

        times = np.arange(0.5, 5, 0.5)
        ode_model = pm.ode.DifferentialEquation(
            func=odefunc, times=times, n_states=1, n_theta=1, t0=0
        )
        with pm.Model():
            r = pm.HalfNormal("r", 2)
            sigma = pm.HalfNormal("sigma", 1)
            y_hat = ode_model(y0=[0.1], theta=[r])  # shape (9, 1)
            pm.Normal("y", mu=y_hat, sigma=sigma, observed=data)
    """

    def __init__(
        self,
        func: Callable[..., Any],
        times: Sequence[float] | np.ndarray,
        n_states: int | None = None,
        n_theta: int | None = None,
        t0: float = 0,
        *,
        solver: Any = None,
        stepsize_controller: Any = None,
        rtol: float | None = None,
        atol: float | None = None,
        dt0: float | None = None,
        max_steps: int = _DEFAULT_MAX_STEPS,
        adjoint: Any = None,
    ) -> None:
        if not callable(func):
            raise TypeError(f"DifferentialEquation: func must be callable, got {type(func)}")
        self.func = func
        self.n_states = _count("n_states", n_states, minimum=1)
        self.n_theta = _count("n_theta", n_theta, minimum=0)
        self.t0 = _scalar_time(t0)
        self.times = _check_times(times, self.t0)
        self.n_times = len(self.times)
        if int(max_steps) < 1:
            raise ValueError(f"DifferentialEquation: max_steps must be positive, got {max_steps}")
        self.max_steps = int(max_steps)
        if stepsize_controller is not None and (rtol is not None or atol is not None):
            raise ValueError(
                "DifferentialEquation: rtol/atol set the default step-size controller; with "
                "stepsize_controller=... give the tolerances to that controller instead"
            )
        self.rtol = _DEFAULT_RTOL if rtol is None else float(rtol)
        self.atol = _DEFAULT_ATOL if atol is None else float(atol)
        self.dt0 = None if dt0 is None else float(dt0)

        dfx = _diffrax()
        self.solver = dfx.Tsit5() if solver is None else solver
        self.stepsize_controller = (
            dfx.PIDController(rtol=self.rtol, atol=self.atol)
            if stepsize_controller is None
            else stepsize_controller
        )
        if adjoint is None:
            n_sens = self.n_states + self.n_theta
            adjoint = (
                dfx.ForwardMode()
                if n_sens <= FORWARD_MODE_MAX
                else dfx.RecursiveCheckpointAdjoint()
            )
        self.adjoint = adjoint
        self._check_func()
        self._solve = self._make_solver()

    def __repr__(self) -> str:
        return (
            f"DifferentialEquation({getattr(self.func, '__name__', 'func')}, "
            f"n_states={self.n_states}, n_theta={self.n_theta}, t0={self.t0}, "
            f"{self.n_times} times)"
        )

    # -- the right-hand side ---------------------------------------------------------------
    def _rhs(self, y: Any, t: Any, p: Any) -> Any:
        """func's value as a ``(n_states,)`` array (checked when the ODE is built)."""
        out = self.func(y, t, p)
        dtype = np.result_type(y.dtype, np.float32)
        if isinstance(out, list | tuple):
            if any(is_node(v) for v in out):
                raise TypeError(_node_in_func())
            parts = [jnp.asarray(v, dtype=dtype) for v in out]
            bad = [i for i, v in enumerate(parts) if v.shape not in ((), (1,))]
            if bad:
                shapes = ", ".join(f"element {i} has shape {parts[i].shape}" for i in bad)
                raise ShapeError(
                    f"DifferentialEquation: func(y, t, p) must return {self.n_states} scalars "
                    f"(dy/dt for each state), but {shapes}"
                )
            out = jnp.stack([jnp.reshape(v, ()) for v in parts]) if parts else jnp.zeros(0)
        elif is_node(out):
            raise TypeError(_node_in_func())
        out = jnp.asarray(out, dtype=dtype)
        if out.ndim == 0:
            out = out[None]
        if out.shape != (self.n_states,):
            raise ShapeError(
                f"DifferentialEquation: func(y, t, p) returned {_n_values(out.shape)} but "
                f"n_states={self.n_states}: it must return dy/dt for each of the "
                f"{self.n_states} states"
            )
        return out

    def _check_func(self) -> None:
        # A concrete call first: numpy raises for an index past y or p, where a traced JAX
        # index would silently clamp it (p[2] with n_theta=2 would read p[1]).
        y_num = np.ones(self.n_states)
        p_num = np.ones(self.n_theta)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._rhs(y_num, np.float64(self.t0), p_num)
        except IndexError as err:
            raise ShapeError(_func_failed(self, err)) from None
        except (ShapeError, TypeError) as err:
            if isinstance(err, ShapeError) or "credo variable" in str(err):
                raise err.with_traceback(None) from None
        except Exception:  # the traced check below reports it
            pass
        dt = _float_dtype()
        y = jax.ShapeDtypeStruct((self.n_states,), dt)
        t = jax.ShapeDtypeStruct((), dt)
        p = jax.ShapeDtypeStruct((self.n_theta,), dt)
        try:
            jax.eval_shape(self._rhs, y, t, p)
        except (ShapeError, TypeError) as err:
            if isinstance(err, ShapeError) or "credo variable" in str(err):
                raise err.with_traceback(None) from None
            raise TypeError(_func_failed(self, err)) from None
        except (IndexError, ValueError) as err:
            raise ShapeError(_func_failed(self, err)) from None

    # -- the solve ---------------------------------------------------------------------------
    def _diffeqsolve(self, y0: Any, theta: Any, adjoint: Any) -> Any:
        dfx = _diffrax()
        dt = y0.dtype
        term = dfx.ODETerm(lambda t, y, p: self._rhs(y, t, p))
        sol = dfx.diffeqsolve(
            term,
            self.solver,
            t0=jnp.asarray(self.t0, dt),
            t1=jnp.asarray(self.times[-1], dt),
            dt0=self.dt0,
            y0=y0,
            args=theta,
            saveat=dfx.SaveAt(ts=jnp.asarray(self.times, dt)),
            stepsize_controller=self.stepsize_controller,
            adjoint=adjoint,
            max_steps=self.max_steps,
            throw=False,
        )
        ok = sol.result == dfx.RESULTS.successful
        # A failed solve (too many steps, a step size underflow, a non-finite state) gives
        # NaN states: the model's log-density is then -inf, never a stale partial solution.
        return jnp.where(ok, sol.ys, jnp.nan)

    def _make_solver(self) -> Callable[[Any, Any], Any]:
        dfx = _diffrax()
        if not isinstance(self.adjoint, dfx.ForwardMode):
            adjoint = self.adjoint
            return lambda y0, theta: self._diffeqsolve(y0, theta, adjoint)

        forward = dfx.ForwardMode()

        def states_and_jacobian(y0: Any, theta: Any) -> Any:
            f = lambda a, b: (self._diffeqsolve(a, b, forward),) * 2
            (j_y0, j_theta), ys = jax.jacfwd(f, argnums=(0, 1), has_aux=True)(y0, theta)
            return ys, j_y0, j_theta

        # The sensitivities d y(t) / d (y0, theta) are computed by forward mode in the primal
        # pass; the tangent map is then a product with them, which JAX can transpose, so
        # reverse-mode gradients (NUTS), forward mode and Hessians (find_MAP) all work.
        @jax.custom_jvp
        def solve(y0: Any, theta: Any) -> Any:
            return self._diffeqsolve(y0, theta, forward)

        @solve.defjvp
        def solve_jvp(primals: Any, tangents: Any) -> Any:
            ys, j_y0, j_theta = states_and_jacobian(*primals)
            dy0, dtheta = tangents
            out = jnp.einsum("tsi,i->ts", j_y0, dy0) + jnp.einsum("tsk,k->ts", j_theta, dtheta)
            return ys, out

        return solve

    def sensitivities(self, y0: Any, theta: Any) -> Any:
        """d y(times) / d (y0, theta) for JAX arrays: shape ``(n_times, n_states, n_states +
        n_theta)``, PyMC's ``return_sens`` layout (initial values first)."""
        jac = jax.jacfwd if isinstance(self.adjoint, _diffrax().ForwardMode) else jax.jacrev
        j_y0, j_theta = jac(self._solve, argnums=(0, 1))(y0, theta)
        return jnp.concatenate([j_y0, j_theta], axis=-1)

    # -- building the node ---------------------------------------------------------------
    def __call__(
        self, y0: Any, theta: Any = None, return_sens: bool = False
    ) -> TensorVariable | tuple[TensorVariable, TensorVariable]:
        """The solution at ``times``: a lazy tensor of shape ``(n_times, n_states)``.

        ``y0`` (``n_states`` values) and ``theta`` (``n_theta`` values) are lists of model
        variables and numbers, or vectors. With ``return_sens=True`` also returns the
        sensitivities, shape ``(n_times, n_states, n_states + n_theta)``.
        """
        y0_t = _as_vector("y0", y0, self.n_states, "n_states")
        if theta is None and self.n_theta:
            raise TypeError(
                f"DifferentialEquation: theta is required (n_theta={self.n_theta} parameters)"
            )
        theta_t = _as_vector("theta", [] if theta is None else theta, self.n_theta, "n_theta")
        states = apply(self._solve, y0_t, theta_t, opname=self._opname())
        if not return_sens:
            return states
        sens = apply(self.sensitivities, y0_t, theta_t, opname=self._opname() + "_sens")
        return states, sens

    def _opname(self) -> str:
        return "DifferentialEquation"


# -- argument checks ---------------------------------------------------------------------------
def _count(name: str, value: Any, minimum: int) -> int:
    if value is None:
        raise TypeError(f"DifferentialEquation: {name} is required (an integer)")
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"DifferentialEquation: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"DifferentialEquation: {name} must be at least {minimum}, got {value}")
    return int(value)


def _scalar_time(t0: Any) -> float:
    if is_node(t0):
        raise TypeError("DifferentialEquation: t0 must be a number, not a model variable")
    arr = np.asarray(t0, dtype=float)
    if arr.shape != () or not np.isfinite(arr):
        raise ValueError(f"DifferentialEquation: t0 must be a finite number, got {t0!r}")
    return float(arr)


def _check_times(times: Any, t0: float) -> np.ndarray:
    if is_node(times):
        raise TypeError("DifferentialEquation: times must be numbers, not a model variable")
    arr = np.asarray(times, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ShapeError(
            f"DifferentialEquation: times must be a non-empty 1-d array, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("DifferentialEquation: times must be finite")
    drops = np.nonzero(np.diff(arr) < 0)[0]
    if drops.size:
        i = int(drops[0])
        raise ValueError(
            f"DifferentialEquation: times must be increasing, but times[{i + 1}] = "
            f"{arr[i + 1]:g} comes after times[{i}] = {arr[i]:g}"
        )
    if arr[0] < t0:
        raise ValueError(
            f"DifferentialEquation: times must not start before t0 = {t0:g}, but times[0] = "
            f"{arr[0]:g} (the solution is reported forward in time from t0)"
        )
    return arr


def _as_vector(name: str, value: Any, n: int, count_name: str) -> Any:
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ShapeError(
                f"DifferentialEquation: {name} has {len(value)} values but {count_name}={n}"
            )
        if n == 0:
            return np.zeros(0, dtype=_float_dtype())
    x = as_tensor(value)
    shape = tuple(x.shape)
    if shape == () and n == 1:
        x = apply(jnp.atleast_1d, x, opname="atleast_1d") if is_node(x) else x.reshape(1)
        shape = (1,)
    if shape != (n,):
        what = x.label if is_node(x) else name
        raise ShapeError(
            f"DifferentialEquation: {name} must have {n} values ({count_name}={n}), but "
            f"{what} has shape {shape}"
        )
    dt = _float_dtype()
    if is_node(x):
        return x if x.dtype == dt else apply(lambda v: v.astype(dt), x, opname="astype")
    return np.asarray(x, dtype=dt)


def _n_values(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"{shape[0]} value" + ("" if shape[0] == 1 else "s")
    return f"an array of shape {shape}"


def _node_in_func() -> str:
    return (
        "DifferentialEquation: func(y, t, p) returned a credo variable; model variables must "
        "enter the equation through theta (p inside func), not be used in func directly"
    )


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else ""


def _func_failed(ode: DifferentialEquation, err: Exception) -> str:
    return (
        f"DifferentialEquation: func(y, t, p) failed when called with y of shape "
        f"({ode.n_states},) (n_states), a scalar t and p of shape ({ode.n_theta},) "
        f"(n_theta): {type(err).__name__}: {_first_line(err)}. func is traced by JAX: write "
        "it with "
        "credo.math or jax.numpy functions (not numpy, math or Python if on values)"
    )
