complete ssoenv 'p,*,`ssoenv __complete tcsh`,'
