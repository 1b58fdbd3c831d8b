import numpy as np, time, optax
import credo as pm
rng = np.random.default_rng(0)
n=20
x = rng.normal(3.0, 1.0, size=n)
y = 1 + 0.5*x + rng.normal(size=n)
X = np.column_stack([np.ones(n), x])
prior_prec = np.eye(2)/25
P = prior_prec + X.T@X
S = np.linalg.inv(P); m = S @ (X.T@y)
print("exact", m, np.sqrt(np.diag(S)), "mf sd", 1/np.sqrt(np.diag(P)))
with pm.Model() as model:
    a = pm.Normal("a", 0, 5); b = pm.Normal("b", 0, 5)
    pm.Normal("y", a + b*x, 1.0, observed=y)
for method in ["advi", "fullrank_advi"]:
  for opt in [None, optax.adam(optax.exponential_decay(0.1, 1000, 0.5)), pm.adam(0.01)]:
    t=time.time()
    ap = pm.fit(20000, method=method, model=model, random_seed=1, progressbar=False, obj_optimizer=opt)
    print(method, opt if opt is None or isinstance(opt, pm.variational.optimizers.Optimizer) else "optax", round(time.time()-t,2), ap.mean.eval(), ap.std.eval(), ap.cov[0,1], S[0,1])
