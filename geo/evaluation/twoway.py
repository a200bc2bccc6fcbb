"""The count model with unit and month fixed effects, fitted without its dummy columns (a province's scale).

The panel models (`geo.evaluation.panel.fit_panel`, `geo.evaluation.models.panel_model`) are
``log E[y] = Σ βₖ·xₖ + unit + month + offset``. Written out as a dense design, that is one column
per unit: at 500 units × 24 months, a 12,000 × 530 matrix whose normal equations cost
rows × columns² per iteration — cubic in the number of units, minutes per fit.

The unit effects need no column. In each iteration of reweighted least squares the normal equations
split into the unit block (diagonal: each unit's summed weight) and the rest; eliminating the unit
block (its Schur complement, i.e. subtracting each unit's weighted mean from the other columns) leaves
a system of the terms and the month effects only, ``k + months − 1`` columns, and the unit effects
follow from their means. The solution, the terms' covariance (the terms' block of the inverse
information) and each unit's influence on the terms are **the same numbers** as the dense fit's: the
same estimator and the same iterations, computed by block elimination instead of one dense solve
(equal to rounding; ``tests/geo/evaluation/test_twoway.py``). Cost: rows × (k + months)² per
iteration, linear in the number of units.

When the reduced system is singular or nearly so (a term that the fixed effects explain), the
dense fit's pseudo-inverse decides which solution is reported; `fit` then returns ``None`` and the
caller falls back to the dense fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

MAX_CONDITION = 1e10
"""Largest condition number of the reduced system still solved by elimination (else: the dense fit)."""


def dispersion(y: np.ndarray, mu: np.ndarray, *, floor: float = 1e-8) -> float:
    """The NB2 dispersion's moment estimate (Cameron–Trivedi) from a Poisson fit's means; 0 (Poisson) at or below ``floor``."""
    alpha = max(float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2)), 0.0)
    return alpha if alpha > floor else 0.0


@dataclass(frozen=True)
class TwoWayFit:
    """A fit of the two-way model.

    Attributes
    ----------
    beta
        The terms' coefficients.
    params
        All coefficients in the dense design's order: terms, intercept (the first unit's effect),
        the other units' effects relative to the first, the months' relative to the first month.
    mu
        Fitted means: ``exp`` of the linear predictor clipped to ±30 as in the dense fit's iterations,
        or unclipped with ``details`` (as the dense fit's covariance and influence use them).
    cov
        The terms' block of the inverse information (``None`` unless asked for).
    theta, unit_effects
        The terms' and months' coefficients, and every unit's effect (this module's own order).
    converged
        Whether the iterations stopped before their limit.
    influence
        ``influence[k, j]``: how much term k moves per unit shift of unit j's after rows (``None`` unless asked for).
    """

    beta: np.ndarray
    params: np.ndarray
    mu: np.ndarray
    theta: np.ndarray
    unit_effects: np.ndarray
    converged: bool = True
    cov: np.ndarray | None = None
    influence: np.ndarray | None = None


class TwoWay:
    """The layout of a panel: each row's unit and month, the terms and the offset."""

    def __init__(
        self,
        terms: np.ndarray,
        unit: np.ndarray,
        month: np.ndarray,
        offset: np.ndarray,
        after: np.ndarray | None = None,
    ) -> None:
        """Prepare the fit.

        Parameters
        ----------
        terms
            Rows × k: the terms' columns (without constant or dummies).
        unit, month
            Each row's unit and month as codes ``0 … n−1`` and ``0 … T−1`` (month 0's effect is the
            reference, as the dense design drops its first dummy).
        offset
            Each row's offset.
        after
            Each row's after indicator: the influence (`TwoWayFit.influence`) is that of a shift of
            a unit's after rows.
        """
        self.k = terms.shape[1]
        self.unit = np.asarray(unit, dtype=np.intp)
        self.n_units = int(self.unit.max()) + 1 if len(self.unit) else 0
        month = np.asarray(month, dtype=np.intp)
        n_months = int(month.max()) + 1 if len(month) else 0
        dummies = np.zeros((len(month), max(n_months - 1, 0)))
        later = month > 0
        dummies[np.flatnonzero(later), month[later] - 1] = 1.0
        self.q = np.column_stack([terms, dummies])
        self.month = month
        self.offset = offset
        self.after = np.zeros(len(month)) if after is None else np.asarray(after, dtype=float)
        self.by_unit = sparse.csr_matrix(
            (np.ones(len(self.unit)), (self.unit, np.arange(len(self.unit)))),
            shape=(self.n_units, len(self.unit)),
        )

    def _eta(self, theta: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.clip(self.q @ theta + a[self.unit] + self.offset, -30, 30)

    def _params(self, theta: np.ndarray, a: np.ndarray) -> np.ndarray:
        """The coefficients in the dense design's order (terms, intercept, units, months)."""
        return np.concatenate([theta[: self.k], a[:1], a[1:] - a[0], theta[self.k :]])

    def _solve(
        self, z: np.ndarray, weight: np.ndarray, *, check: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Weighted least squares of ``z`` on the terms, months and units: (theta, a, reduced system)."""
        total = np.asarray(self.by_unit @ weight)
        mean_q = np.asarray(self.by_unit @ (self.q * weight[:, None])) / total[:, None]
        mean_z = np.asarray(self.by_unit @ (z * weight)) / total
        within_q = self.q - mean_q[self.unit]
        within_z = z - mean_z[self.unit]
        weighted = within_q * weight[:, None]
        system = within_q.T @ weighted
        if not np.all(np.isfinite(system)) or (check and np.linalg.cond(system) > MAX_CONDITION):
            return None
        try:
            theta = np.linalg.solve(system, weighted.T @ within_z)
        except np.linalg.LinAlgError:
            return None
        return theta, mean_z - mean_q @ theta, system

    def fit(
        self,
        y: np.ndarray,
        *,
        alpha: float,
        start: TwoWayFit | None = None,
        tolerance: float = 1e-9,
        max_iterations: int = 100,
    ) -> TwoWayFit | None:
        """Fit a log-link Poisson (``alpha = 0``) or NB2 model by reweighted least squares.

        The iterations are the dense fit's (`geo.evaluation.panel._irls`): the same start, the same
        working response and weights, stopped when no coefficient (in the dense design's order)
        moves by ``tolerance``. Returns ``None`` when the reduced system is (nearly) singular.
        """
        if start is None:
            mu = (y + y.mean()) / 2
            eta = np.log(mu)
            params = np.zeros(self.k + self.n_units + self.q.shape[1] - self.k)
        else:
            params = start.params
            eta = np.clip(np.log(start.mu), -30, 30)
            mu = np.exp(eta)
        theta = np.zeros(self.q.shape[1])
        a = np.zeros(self.n_units)
        done = False
        for iteration in range(max_iterations):
            weight = mu / (1 + alpha * mu)
            z = eta - self.offset + (y - mu) / mu
            # Whether the design is singular does not depend on the weights: checked on the first
            # iteration (and again on the final weights, `described`).
            solved = self._solve(z, weight, check=iteration == 0)
            if solved is None:
                return None
            theta, a, _ = solved
            new = self._params(theta, a)
            done = bool(np.max(np.abs(new - params)) < tolerance)
            params = new
            eta = self._eta(theta, a)
            mu = np.exp(eta)
            if done:
                break
        return TwoWayFit(theta[: self.k], params, mu, theta, a, converged=done)

    def described(self, fit: TwoWayFit, alpha: float) -> TwoWayFit | None:
        """Return ``fit`` with the terms' covariance and each unit's influence, at its unclipped means.

        None when the information is (nearly) singular.
        """
        theta, a = fit.theta, fit.unit_effects
        exact = np.exp(self.q @ theta + a[self.unit] + self.offset)
        weight = exact / (1 + alpha * exact)
        total = np.asarray(self.by_unit @ weight)
        mean_q = np.asarray(self.by_unit @ (self.q * weight[:, None])) / total[:, None]
        within_q = self.q - mean_q[self.unit]
        system = within_q.T @ (within_q * weight[:, None])
        if not np.all(np.isfinite(system)) or np.linalg.cond(system) > MAX_CONDITION:
            return None
        inverse = np.linalg.inv(system)[: self.k]
        return TwoWayFit(
            beta=fit.beta,
            params=fit.params,
            mu=exact,
            theta=theta,
            unit_effects=a,
            converged=fit.converged,
            cov=inverse[:, : self.k],
            influence=self._influence(inverse, within_q, weight),
        )

    def _influence(self, inverse: np.ndarray, within_q: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Return ``inverse · Σ_{after rows of unit j} w·q̃`` per unit j (q̃: the columns less their unit's mean)."""
        return inverse @ np.asarray(self.by_unit @ (within_q * (weight * self.after)[:, None])).T
